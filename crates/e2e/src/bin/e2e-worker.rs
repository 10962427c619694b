//! The worker program of the end-to-end tests' hosts under process isolation.

fn main() {
    capsule_host::run_worker_if_requested();
    eprintln!("e2e-worker: a host starts this program as its worker");
    std::process::exit(2);
}
