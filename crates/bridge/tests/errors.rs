//! The bridge's public errors are types an embedder can match on, and print the messages a
//! person reads.

use capsule_bridge::service::{ApiHost, ReadFileError, Service};
use capsule_bridge::{App, Bridge, Options, PolicyError, StorageError, parse_policy};

#[test]
fn a_policy_error_says_its_cause() {
    let parse = |text: &str| parse_policy(text, &mut Options::default()).unwrap_err();
    let cases = [
        (
            "[network]\nsockets = []",
            PolicyError::UnknownKey {
                key: "network.sockets".into(),
                expected: Some(
                    "the lists are domains, request, socket, uploadFile, downloadFile and webView",
                ),
            },
            "unknown key `network.sockets`; the lists are domains, request, socket, uploadFile, downloadFile and webView",
        ),
        (
            "[apps.\"a\"]\nscope = {}",
            PolicyError::UnknownKey { key: "apps.\"a\".scope".into(), expected: None },
            "unknown key `apps.\"a\".scope`",
        ),
        (
            "network = 1",
            PolicyError::Shape { key: "network".into(), must: "be a table" },
            "`network` must be a table",
        ),
        (
            "[network]\ndomains = [1]",
            PolicyError::Shape { key: "network.domains".into(), must: "hold strings" },
            "`network.domains` must hold strings",
        ),
        (
            "[scopes]\n\"scope.camera\" = true",
            PolicyError::Rule { key: "scopes.\"scope.camera\"".into(), found: "boolean".into() },
            "`scopes.\"scope.camera\"` must be \"allow\", \"deny\" or \"prompt\", found boolean",
        ),
        (
            "[network]\nwebView = [\"ftp://example.com\"]",
            PolicyError::Origin { list: "network.webView".into(), entry: "ftp://example.com".into() },
            "`network.webView`: `ftp://example.com` must be an https:// or wss:// origin",
        ),
    ];
    for (text, cause, message) in cases {
        let e = parse(text);
        assert_eq!(e, cause, "{text}");
        assert_eq!(e.to_string(), message, "{text}");
        assert_eq!(String::from(e), message, "{text}");
    }
    assert!(matches!(parse("[scopes"), PolicyError::Syntax(m) if m.contains("line 1")));
}

#[test]
fn storage_that_cannot_open_says_which_app() {
    // A file where the data folder should be.
    let file = std::env::temp_dir().join(format!("capsule-bridge-errors-{}", std::process::id()));
    std::fs::write(&file, b"not a folder").unwrap();
    let b = Bridge::new(Options { data_dir: file.clone(), ..Options::default() });
    let app = App { id: "a".into(), ..Default::default() };
    match b.store(&app) {
        Err(StorageError::Open { app, reason }) => {
            assert_eq!(app, "a");
            assert!(!reason.is_empty());
        }
        other => panic!("expected StorageError::Open, got {:?}", other.map(|_| ())),
    }
    let _ = std::fs::remove_file(file);
}

#[test]
fn reading_an_apps_file_says_why_it_cannot() {
    let dir = std::env::temp_dir().join(format!("capsule-bridge-errors-files-{}", std::process::id()));
    let service = Service::start(Bridge::new(Options { data_dir: dir.clone(), ..Options::default() }));
    let client = service.client(App { id: "a".into(), ..Default::default() });
    assert_eq!(
        client.read_file("wxfile://usr/missing.txt"),
        Err(ReadFileError::NotFound { path: "wxfile://usr/missing.txt".into() })
    );
    let escaping = client.read_file("wxfile://usr/../../secret").unwrap_err();
    assert!(matches!(escaping, ReadFileError::Refused(_)), "{escaping:?}");
    drop(client);
    let _ = std::fs::remove_dir_all(dir);
}
