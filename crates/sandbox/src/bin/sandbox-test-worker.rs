//! The smallest worker program: what an embedder's `main` does to be its own host's worker.
//! The sandbox's tests start it as their workers.

fn main() {
    capsule_sandbox::run_worker_if_requested();
    eprintln!("sandbox-test-worker: a host starts this program as its worker");
    std::process::exit(2);
}
