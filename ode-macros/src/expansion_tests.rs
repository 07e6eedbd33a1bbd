//! Expansion snapshots and the cost of expansion (filled in by the snapshot work).
