//! capsule-e2e
