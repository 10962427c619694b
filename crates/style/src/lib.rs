//! `capsule-style` compiles WXSS (and W3C MiniApp CSS) into stylesheets the views use.
