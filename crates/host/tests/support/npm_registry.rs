//! An npm registry for tests: gzipped tarballs built in memory (hostile names and links
//! included), their integrity strings, and a server on 127.0.0.1 that serves one tarball at
//! its path and counts requests, stopped when dropped. Shared by the host's unit tests and
//! the command's tests (`#[path]`), so neither fetches from the public registry.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;

use base64::Engine as _;
use sha2::{Digest, Sha512};

/// What a tarball entry is.
pub enum Kind {
    File,
    Symlink(&'static str),
    HardLink(&'static str),
}

/// A gzipped tarball of `entries`, names written raw (a hostile tarball's names included).
pub fn tgz(entries: &[(&str, Kind, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, kind, data) in entries {
        let mut header = tar::Header::new_old();
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_mode(0o644);
        header.set_size(data.len() as u64);
        match kind {
            Kind::File => header.set_entry_type(tar::EntryType::Regular),
            Kind::Symlink(to) | Kind::HardLink(to) => {
                header.set_entry_type(if matches!(kind, Kind::Symlink(_)) {
                    tar::EntryType::Symlink
                } else {
                    tar::EntryType::Link
                });
                header.as_old_mut().linkname[..to.len()].copy_from_slice(to.as_bytes());
            }
        }
        header.set_cksum();
        builder.append(&header, *data).unwrap();
    }
    let tar = builder.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

/// The registry's integrity string for `bytes`: `sha512-` and the digest in base64.
pub fn sri(bytes: &[u8]) -> String {
    format!("sha512-{}", base64::engine::general_purpose::STANDARD.encode(Sha512::digest(bytes)))
}

/// An npm registry serving one tarball at its npm path (anything else is a 404), counting
/// requests; stopped on drop.
pub struct Registry {
    pub url: String,
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Registry {
    pub fn serve(path: &'static str, body: Vec<u8>) -> Registry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, stopping) = (requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                // Dropping the registry wakes the accept with a connection of its own.
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                while reader.read_line(&mut String::new()).is_ok_and(|n| n > 2) {}
                let found = line.split(' ').nth(1) == Some(path);
                let (status, body) =
                    if found { ("200 OK", &body[..]) } else { ("404 Not Found", &b"{}"[..]) };
                let mut stream = reader.into_inner();
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body));
            }
        });
        Registry { url: format!("http://{addr}"), addr, requests, stop, thread: Some(thread) }
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}
