//! Shared pieces of the peer benchmarks.
