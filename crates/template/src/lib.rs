//! `capsule-template`
