//! The channel's frames: a 4-byte little-endian length, then that many bytes. Both sides
//! refuse a frame longer than the ceiling before reading any of it, so a peer cannot make the
//! other allocate what it announces.

use std::io::{self, Read, Write};

/// The longest frame either side accepts: an instance's outputs of one callback are held to
/// its host budget (64 MiB by default) inside the worker, so a frame past this is not one a
/// sound worker sends.
pub const MAX_FRAME: usize = 96 * 1024 * 1024;

/// Why a frame could not be read.
#[derive(Debug)]
pub enum FrameError {
    /// The channel failed.
    Io(io::Error),
    /// The peer announced a frame over the ceiling.
    TooLong(usize),
    /// The channel closed inside a frame.
    Truncated,
    /// The peer stopped inside a frame for longer than the reader's timeout.
    Stalled,
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::Io(e) => write!(f, "{e}"),
            FrameError::TooLong(n) => write!(f, "a frame of {n} bytes, over the {MAX_FRAME}-byte ceiling"),
            FrameError::Truncated => write!(f, "the channel closed inside a frame"),
            FrameError::Stalled => write!(f, "it stopped inside a frame"),
        }
    }
}

/// Writes one frame.
pub fn write(mut to: impl Write, payload: &[u8]) -> io::Result<()> {
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|n| *n as usize <= MAX_FRAME)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "frame over the ceiling"))?;
    // One write: a frame is never split by a reader's scheduling between two calls.
    let mut whole = Vec::with_capacity(4 + payload.len());
    whole.extend_from_slice(&len.to_le_bytes());
    whole.extend_from_slice(payload);
    to.write_all(&whole)?;
    to.flush()
}

fn waited(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}

/// Reads one frame; `Ok(None)` when the channel closed cleanly between frames. On a
/// channel with a read timeout, the wait for a frame to begin is endless, and the timeout
/// bounds each wait inside one ([`FrameError::Stalled`]).
pub fn read(mut from: impl Read) -> Result<Option<Vec<u8>>, FrameError> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < len.len() {
        match from.read(&mut len[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(FrameError::Truncated),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if waited(&e) && got == 0 => {}
            Err(e) if waited(&e) => return Err(FrameError::Stalled),
            Err(e) => return Err(FrameError::Io(e)),
        }
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(FrameError::TooLong(len));
    }
    let mut payload = vec![0u8; len];
    from.read_exact(&mut payload).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => FrameError::Truncated,
        _ if waited(&e) => FrameError::Stalled,
        _ => FrameError::Io(e),
    })?;
    Ok(Some(payload))
}

/// How deeply a JSON text nests (arrays and objects), read without parsing it: a frame
/// nested past what a sound worker sends is refused before a parser recurses into it.
pub fn json_depth(text: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in text {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// A frame's JSON as `T`, without serde_json's limit of 128 levels: a page's tree and an
/// app's data may nest deeper. The caller bounds the depth (see [`json_depth`]) where the
/// frame is not its own side's.
pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.disable_recursion_limit();
    let value = T::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// A package file as a frame's payload: the path's length (4 bytes, little-endian), the
/// path, then the bytes.
pub fn file_payload(path: &str, bytes: &[u8]) -> Vec<u8> {
    let mut payload = Vec::with_capacity(4 + path.len() + bytes.len());
    payload.extend_from_slice(&(path.len() as u32).to_le_bytes());
    payload.extend_from_slice(path.as_bytes());
    payload.extend_from_slice(bytes);
    payload
}

/// The path and bytes of a file frame.
pub fn parse_file(payload: &[u8]) -> Option<(String, &[u8])> {
    let len = u32::from_le_bytes(payload.get(..4)?.try_into().ok()?) as usize;
    let path = payload.get(4..4usize.checked_add(len)?)?;
    Some((String::from_utf8(path.to_vec()).ok()?, &payload[4 + len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_refuse_what_is_too_long_or_cut() {
        let mut buf = Vec::new();
        write(&mut buf, b"hello").unwrap();
        write(&mut buf, b"").unwrap();
        let mut r = &buf[..];
        assert_eq!(read(&mut r).unwrap().as_deref(), Some(&b"hello"[..]));
        assert_eq!(read(&mut r).unwrap().as_deref(), Some(&b""[..]));
        assert!(read(&mut r).unwrap().is_none());
        // Announced past the ceiling: refused before anything is allocated.
        let huge = ((MAX_FRAME + 1) as u32).to_le_bytes();
        assert!(matches!(read(&huge[..]), Err(FrameError::TooLong(_))));
        // Cut inside the length, or inside the payload.
        assert!(matches!(read(&buf[..2]), Err(FrameError::Truncated)));
        assert!(matches!(read(&buf[..6]), Err(FrameError::Truncated)));
    }

    #[test]
    fn depth_counts_nesting_outside_strings() {
        assert_eq!(json_depth(br#"{"a": [1, {"b": 2}]}"#), 3);
        assert_eq!(json_depth(br#"{"a": "[[[{{{\"]]"}"#), 1);
        assert_eq!(json_depth(b"1"), 0);
        assert_eq!(json_depth("[".repeat(100_000).as_bytes()), 100_000);
    }

    #[test]
    fn file_frames_carry_path_and_bytes() {
        let p = file_payload("pages/a/a.js", b"Page({})");
        assert_eq!(parse_file(&p), Some(("pages/a/a.js".to_string(), &b"Page({})"[..])));
        assert_eq!(parse_file(&p[..3]), None);
        assert_eq!(parse_file(&[9, 0, 0, 0, b'a']), None);
    }
}
