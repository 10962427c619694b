//! `<wxs>` modules: evaluated in a context of their own (same runtime, separate globals), so
//! template helpers cannot see `wx`, `getApp` or page state, with the platform's WXS rules:
//! `getRegExp` / `getDate` instead of `new RegExp` / `new Date`, and `require` of `.wxs`
//! files only. Templates call them during rendering through [`WxsCaller`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use capsule_package::Package;
use capsule_package::components::{join, parent};
use capsule_template::expr::WxsHost;
use rquickjs::{Context, Ctx, Function, Object, Persistent, Runtime};
use serde_json::Value;

use crate::bytecode::Cache;
use crate::{JsError, caught};
use rquickjs::CatchResultExt;

/// The prelude of the WXS realm: what WXS has and lacks compared to the logic layer.
const PRELUDE: &str = r#"(function (native) {
  'use strict';
  var G = globalThis;
  delete G.eval;
  (function () {
    function refuse() { throw new EvalError('code from strings is not allowed in WXS'); }
    [function () {}, async function () {}, function* () {}, async function* () {}].forEach(function (f) {
      Object.defineProperty(Object.getPrototypeOf(f), 'constructor', { value: refuse, writable: false, configurable: false });
    });
    refuse.prototype = Function.prototype;
    Object.defineProperty(G, 'Function', { value: refuse, writable: false, configurable: false });
  })();
  var NativeDate = Date, NativeRegExp = RegExp;
  G.getDate = function () {
    var a = Array.prototype.slice.call(arguments);
    return new (Function.prototype.bind.apply(NativeDate, [null].concat(a)))();
  };
  G.getRegExp = function (pattern, flags) { return new NativeRegExp(pattern, flags); };
  delete G.Date; delete G.RegExp;
  var cache = new Map();
  // The loader stays in this closure: module code cannot compile sources of its own.
  function load(path, code) {
    if (cache.has(path)) return cache.get(path).exports;
    var module = { exports: {} };
    cache.set(path, module);
    var fn = native.compile(path, code);
    fn(module, module.exports, function require(spec) {
      var found = native.resolve(path, String(spec));
      return load(found[0], found[1]);
    });
    return module.exports;
  }
  return { load: load, parse: JSON.parse };
})"#;

/// The WXS realm of one instance, and the modules loaded into it.
pub(crate) struct WxsRealm {
    context: Context,
    /// The realm's module loader and its `JSON.parse` (arguments are built in this realm, so
    /// module code never holds an object of the logic realm).
    loader: Persistent<Function<'static>>,
    parse: Persistent<Function<'static>>,
    /// `(template file, module name)` → `module.exports`.
    modules: RefCell<HashMap<(usize, String), Persistent<Object<'static>>>>,
}

/// One module's code: inline in the template, or a `.wxs` file.
#[derive(Clone, Debug)]
pub struct WxsSource {
    pub name: String,
    /// The package path the code came from (for stacks and relative `require`).
    pub path: String,
    pub code: String,
}

impl WxsRealm {
    pub(crate) fn new(
        runtime: &Runtime,
        package: Arc<Package>,
        cache: Arc<Cache>,
    ) -> Result<WxsRealm, String> {
        let context = Context::full(runtime).map_err(|e| e.to_string())?;
        let (loader, parse) = context.with(|ctx| install_prelude(&ctx, package, cache))?;
        Ok(WxsRealm { context, loader, parse, modules: RefCell::new(HashMap::new()) })
    }

    pub(crate) fn is_loaded(&self, file: usize) -> bool {
        self.modules.borrow().keys().any(|(f, _)| *f == file)
    }

    /// Evaluates a template file's modules (once).
    pub(crate) fn load(&self, file: usize, sources: &[WxsSource]) -> Result<(), JsError> {
        for source in sources {
            let key = (file, source.name.clone());
            if self.modules.borrow().contains_key(&key) {
                continue;
            }
            let exports = self.context.with(|ctx| -> Result<Persistent<Object<'static>>, JsError> {
                let load = self
                    .loader
                    .clone()
                    .restore(&ctx)
                    .map_err(|e| JsError { message: e.to_string(), stack: String::new() })?;
                let exports: Object =
                    load.call((source.path.clone(), source.code.clone())).catch(&ctx).map_err(caught)?;
                Ok(Persistent::save(&ctx, exports))
            })?;
            self.modules.borrow_mut().insert(key, exports);
        }
        Ok(())
    }

    pub(crate) fn parser(&self) -> Persistent<Function<'static>> {
        self.parse.clone()
    }

    /// The modules visible from the given files, the first file's first.
    pub(crate) fn scope(&self, files: &[usize]) -> Vec<(String, Persistent<Object<'static>>)> {
        let modules = self.modules.borrow();
        let mut out = Vec::new();
        for f in files {
            for ((file, name), exports) in modules.iter() {
                if file == f && !out.iter().any(|(n, _): &(String, _)| n == name) {
                    out.push((name.clone(), exports.clone()));
                }
            }
        }
        out
    }
}

type Installed = (Persistent<Function<'static>>, Persistent<Function<'static>>);

fn install_prelude<'js>(
    ctx: &Ctx<'js>,
    package: Arc<Package>,
    cache: Arc<Cache>,
) -> Result<Installed, String> {
    let native = Object::new(ctx.clone()).map_err(|e| e.to_string())?;
    let compile = Function::new(
        ctx.clone(),
        move |ctx: Ctx<'js>, path: String, code: String| -> rquickjs::Result<Function<'js>> {
            cache.function(&ctx, "module, exports, require", &code, &path).and_then(Function::from_value)
        },
    )
    .map_err(|e| e.to_string())?;
    native.set("compile", compile).map_err(|e| e.to_string())?;
    let resolve = Function::new(ctx.clone(), move |ctx: Ctx<'_>, from: String, spec: String| {
        let target = match spec.strip_prefix('/') {
            Some(abs) => join("", abs),
            None => join(parent(&from), &spec),
        };
        let target = target.filter(|t| t.ends_with(".wxs"));
        match target
            .as_deref()
            .and_then(|t| package.files.text(t).map(|code| (t.to_string(), code.to_string())))
        {
            Some((path, code)) => Ok(vec![path, code]),
            None => Err(rquickjs::Exception::throw_message(
                &ctx,
                &format!("require('{spec}') from {from}: a .wxs file in the package is required"),
            )),
        }
    })
    .map_err(|e| e.to_string())?;
    native.set("resolve", resolve).map_err(|e| e.to_string())?;
    let install: Function = ctx.eval(PRELUDE).map_err(|e| e.to_string())?;
    let tools: Object = install.call((native,)).catch(ctx).map_err(|e| e.to_string())?;
    let load: Function = tools.get("load").map_err(|e| e.to_string())?;
    let parse: Function = tools.get("parse").map_err(|e| e.to_string())?;
    Ok((Persistent::save(ctx, load), Persistent::save(ctx, parse)))
}

/// Calls WXS functions from a render, in the context that is running.
pub struct WxsCaller<'js> {
    pub(crate) ctx: Ctx<'js>,
    pub(crate) modules: Vec<(String, Persistent<Object<'static>>)>,
    /// The WXS realm's `JSON.parse`, when a realm exists.
    pub(crate) parse: Option<Persistent<Function<'static>>>,
    pub(crate) errors: RefCell<Vec<JsError>>,
}

impl WxsHost for WxsCaller<'_> {
    fn call(&self, module: &str, function: &str, args: &[Value]) -> Option<Value> {
        let f: Function = self.exports(module)?.get(function).ok()?;
        self.invoke(&f, args)
    }

    fn call_module(&self, module: &str, args: &[Value]) -> Option<Value> {
        let f = self.exports(module)?.into_value().into_function()?;
        self.invoke(&f, args)
    }
}

impl<'js> WxsCaller<'js> {
    /// A module's `module.exports`: an object, or a function (with or without properties).
    fn exports(&self, module: &str) -> Option<Object<'js>> {
        let (_, exports) = self.modules.iter().find(|(n, _)| n == module)?;
        exports.clone().restore(&self.ctx).ok()
    }

    /// Calls `f` with `args` made in the WXS realm; `None` for `undefined` or a throw (kept
    /// in `errors`).
    fn invoke(&self, f: &Function<'js>, args: &[Value]) -> Option<Value> {
        let parse = self.parse.clone()?.restore(&self.ctx).ok()?;
        let mut js_args = rquickjs::function::Args::new(self.ctx.clone(), args.len());
        for a in args {
            let v: rquickjs::Value = parse.call((a.to_string(),)).ok()?;
            js_args.push_arg(v).ok()?;
        }
        match f.call_arg::<rquickjs::Value>(js_args).catch(&self.ctx) {
            Ok(v) if v.is_undefined() => None,
            Ok(v) => {
                let json = self.ctx.json_stringify(v).ok().flatten()?.to_string().ok()?;
                serde_json::from_str(&json).ok()
            }
            Err(e) => {
                self.errors.borrow_mut().push(caught(e));
                None
            }
        }
    }
}
