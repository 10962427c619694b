//! TypeScript to JavaScript with oxc: parse, strip the types (an `enum` or a `namespace`
//! becomes the object it stands for), print, and keep the positions of the print in the
//! source as a [`SourceMap`]. No type checking, as in the platform's tools: a type error runs.

use std::path::Path;

use capsule_package::Span;
use capsule_package::plugins::{CompileError, Compiled, SourceMap};
use oxc_allocator::Allocator;
use oxc_codegen::{Codegen, CodegenOptions};
use oxc_parser::Parser;
use oxc_semantic::SemanticBuilder;
use oxc_span::SourceType;
use oxc_transformer::{TransformOptions, Transformer};

/// Compiles the TypeScript `source` of the package file `path`.
///
/// ```
/// use capsule_compile::compile_typescript;
/// let compiled = compile_typescript("a.ts", "enum Color { Red, Green }\nlet c: Color = Color.Green;\n").unwrap();
/// assert!(compiled.code.contains("Color[Color[\"Green\"] = 1] = \"Green\""), "{}", compiled.code);
/// let error = compile_typescript("a.ts", "let x: = 1;").unwrap_err();
/// assert_eq!((error.file.as_str(), error.span.map(|s| s.start)), ("a.ts", Some(7)));
/// ```
pub fn compile_typescript(path: &str, source: &str) -> Result<Compiled, CompileError> {
    let allocator = Allocator::default();
    // `.ts` is "unambiguous": a file with `import`/`export` is a module, one with `require` a
    // script, as the engine's loader decides for JavaScript.
    let source_type = SourceType::from_path(Path::new(path)).unwrap_or_else(|_| SourceType::ts());
    let parsed = Parser::new(&allocator, source, source_type).parse();
    let error = |e: &oxc_diagnostics::OxcDiagnostic| CompileError {
        file: path.to_string(),
        span: e.labels.as_ref().and_then(|l| l.first()).map(|l| Span::new(l.offset(), l.offset() + l.len())),
        message: e.message.to_string(),
    };
    if let Some(e) = parsed.errors.first() {
        return Err(error(e));
    }
    if parsed.panicked {
        return Err(CompileError { file: path.to_string(), span: None, message: "cannot parse".to_string() });
    }
    let mut program = parsed.program;
    let semantic = SemanticBuilder::new().with_check_syntax_error(true).build(&program);
    if let Some(e) = semantic.errors.first() {
        return Err(error(e));
    }
    let scoping = semantic.semantic.into_scoping();
    let transformed = Transformer::new(&allocator, Path::new(path), &TransformOptions::default())
        .build_with_scoping(scoping, &mut program);
    if let Some(e) = transformed.errors.first() {
        return Err(error(e));
    }
    let printed = Codegen::new()
        .with_options(CodegenOptions { source_map_path: Some(path.into()), ..CodegenOptions::default() })
        .build(&program);
    let map = printed.map.map_or_else(SourceMap::default, |map| {
        SourceMap::new(
            map.get_tokens()
                .map(|t| {
                    (t.get_dst_line() + 1, t.get_dst_col() + 1, t.get_src_line() + 1, t.get_src_col() + 1)
                })
                .collect(),
        )
    });
    Ok(Compiled { code: printed.code, map })
}
