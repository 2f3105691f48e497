// RUN: metis-opt %s --verify-diagnostics --metis-cpu-vectorize=vector-width=0

// expected-error@unknown {{metis-cpu-vectorize: vector-width must be in [1, 64], got 0}}
module {
}
