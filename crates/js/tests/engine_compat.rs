//! What published mini-programs expect of the engine beyond the language QuickJS implements:
//! the legacy `RegExp` statics, `Intl` and the `toLocale*String` methods for zh-CN and en-US
//! (expected strings are what Node 20 with full ICU prints), the date formats the platform
//! parses, and the recent built-ins code calls without checking for them.

mod common;

use std::rc::Rc;
use std::sync::Arc;

use capsule_js::{Engine, Limits, Outcome};
use capsule_package::Package;

fn package() -> Arc<Package> {
    common::package(&[])
}

/// Runs `f` with a fresh engine on a thread with a logic thread's stack.
fn with_engine<T: Send + 'static>(f: impl FnOnce(&Engine) -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let engine =
                Engine::new(package(), Limits::default(), Rc::new(common::Recorder::default())).unwrap();
            f(&engine)
        })
        .unwrap()
        .join()
        .unwrap()
}

/// Evaluates each expression in turn in one engine (so earlier ones may set state for later
/// ones) and lists every result that differs from the expected string.
fn check(cases: &'static [(&'static str, &'static str)]) {
    let wrong = with_engine(move |engine| {
        let mut wrong = Vec::new();
        for (expression, expected) in cases {
            let got = engine.evaluate(0, &format!("String({expression})"));
            if got != Outcome::Returned(Some(expected.to_string())) {
                wrong.push(format!("{expression}\n  expected {expected:?}\n  got      {got:?}"));
            }
        }
        wrong
    });
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn regexp_keeps_the_last_match_as_browsers_do() {
    check(&[
        ("RegExp.$1 + RegExp.lastMatch + RegExp.input", ""),
        (
            r"(/(\d+)-(\d+)/.exec('tel 010-1234 ok'), [RegExp.$1, RegExp.$2, RegExp.$3, RegExp.lastMatch,
              RegExp['$&'], RegExp.leftContext, RegExp.rightContext, RegExp.input, RegExp.lastParen].join('|'))",
            "010|1234||010-1234|010-1234|tel | ok|tel 010-1234 ok|1234",
        ),
        (
            r#"(/(a)|(b)/.test('xb'), [RegExp.$1, RegExp.$2, RegExp['$`'], RegExp["$'"], RegExp.$_].join('|'))"#,
            "|b|x||xb",
        ),
        (r"('2024-01-02'.match(/(\d+)-(\d+)-(\d+)/), RegExp.$1 + RegExp.$2 + RegExp.$3)", "20240102"),
        (r"('a1b2c3'.replace(/[a-z](\d)/g, 'x'), RegExp.$1 + RegExp.lastMatch)", "3c3"),
        ("('hello world'.search(/o (w)/), RegExp.$1 + RegExp.leftContext)", "whell"),
        // A failed match leaves the last successful one.
        ("(/(z)/.test('abc'), /(q)(r)/.exec('qr'), /(z)/.exec('abc'), RegExp.$1 + RegExp.$2)", "qr"),
        ("('a,b;c'.split(/([,;])/).length, RegExp.$1)", ";"),
        ("(RegExp.input = 'set', RegExp.input + RegExp.$_)", "setset"),
        ("'x'.replace(/(x)/, function () { return RegExp.$1 + RegExp.$1; })", "xx"),
        (r"[...'a1b2'.matchAll(/[a-z](\d)/g)].length + RegExp.$1", "22"),
        (r"(/(\w+)\s(\w+)/.test('John Smith'), RegExp.$2 + ', ' + RegExp.$1)", "Smith, John"),
        // The fast path QuickJS takes for a global replace with '' still goes through exec.
        ("('aaa'.replace(/a/g, ''), RegExp.lastMatch + RegExp.leftContext)", "aaa"),
        // The framework's own matches (console's source place, errMsg checks) are not the
        // script's: the statics keep the script's.
        (
            r"(/(\d+)/.test('a42'), console.log('x'), console.error(new Error('e')), RegExp.$1 + RegExp.input)",
            "42a42",
        ),
        ("typeof Object.getOwnPropertyDescriptor(RegExp, '$1').get", "function"),
        ("Object.keys(RegExp).length", "0"),
        ("RegExp.prototype.exec.name + RegExp.prototype.exec.length", "exec1"),
    ]);
}

#[test]
fn numbers_format_as_zh_cn_and_en_us_do() {
    check(&[
        ("(1234567.891).toLocaleString()", "1,234,567.891"),
        ("(1234567.891).toLocaleString('en-US')", "1,234,567.891"),
        ("(1234567.891).toLocaleString('de-DE')", "1,234,567.891"),
        ("(-1234.5).toLocaleString('zh-CN', { minimumFractionDigits: 2 })", "-1,234.50"),
        ("(1.005).toLocaleString('zh-CN', { maximumFractionDigits: 2 })", "1.01"),
        ("(0.125).toLocaleString('en-US', { maximumFractionDigits: 2 })", "0.13"),
        ("(999.9995).toLocaleString()", "1,000"),
        ("(1e21).toLocaleString()", "1,000,000,000,000,000,000,000"),
        ("(1.23e-7).toLocaleString()", "0"),
        ("(-0).toLocaleString()", "-0"),
        ("NaN.toLocaleString() + Infinity.toLocaleString() + (-Infinity).toLocaleString()", "NaN∞-∞"),
        ("(1234567.891).toLocaleString('zh-CN', { useGrouping: false })", "1234567.891"),
        ("(12).toLocaleString('en-US', { minimumIntegerDigits: 3 })", "012"),
        ("(1234567.891).toLocaleString('en-US', { maximumSignificantDigits: 3 })", "1,230,000"),
        ("(1.23e-7).toLocaleString('en-US', { maximumSignificantDigits: 3 })", "0.000000123"),
        ("(0.125).toLocaleString('zh-CN', { style: 'percent' })", "13%"),
        ("(0.125).toLocaleString('zh-CN', { style: 'percent', minimumFractionDigits: 1 })", "12.5%"),
        ("(1234.5).toLocaleString('zh-CN', { style: 'currency', currency: 'CNY' })", "¥1,234.50"),
        ("(-1234.5).toLocaleString('zh-CN', { style: 'currency', currency: 'CNY' })", "-¥1,234.50"),
        ("(1234.5).toLocaleString('en-US', { style: 'currency', currency: 'USD' })", "$1,234.50"),
        ("(1234.5).toLocaleString('en-US', { style: 'currency', currency: 'CNY' })", "CN¥1,234.50"),
        ("(1234.5).toLocaleString('zh-CN', { style: 'currency', currency: 'USD' })", "US$1,234.50"),
        ("(1234.5).toLocaleString('zh-CN', { style: 'currency', currency: 'JPY' })", "JP¥1,235"),
        (
            "(2.5).toLocaleString('zh-CN', { style: 'currency', currency: 'CNY', minimumFractionDigits: 0 })",
            "¥2.5",
        ),
        (
            "(1).toLocaleString('en-US', { style: 'currency', currency: 'CNY', currencyDisplay: 'code' })",
            "CNY\u{a0}1.00",
        ),
        (
            "new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' }).format(1234567.891)",
            "¥1,234,567.89",
        ),
        ("Intl.NumberFormat('en-US').format('42.5')", "42.5"),
        ("new Intl.NumberFormat().resolvedOptions().locale", "zh-CN"),
        ("Object.prototype.toString.call(Intl)", "[object Intl]"),
    ]);
}

#[test]
fn number_options_are_checked_as_ecma_402_does() {
    check(&[
        (
            "(() => { try { new Intl.NumberFormat('zh-CN', { style: 'currency' }) } catch (e) { return e.name } })()",
            "TypeError",
        ),
        (
            "(() => { try { (1).toLocaleString('en', { minimumFractionDigits: 3, maximumFractionDigits: 1 }) }
              catch (e) { return e.name } })()",
            "RangeError",
        ),
        ("(() => { try { Number.prototype.toLocaleString.call('1') } catch (e) { return e.name } })()", "TypeError"),
        ("Number.prototype.toLocaleString.name + Number.prototype.toLocaleString.length", "toLocaleString0"),
    ]);
}

#[test]
fn dates_format_as_zh_cn_and_en_us_do() {
    // Local times, so the expectations hold in any time zone.
    check(&[
        ("(globalThis.d = new Date(2024, 0, 2, 10, 5, 7), globalThis.p = new Date(2024, 11, 25, 15, 30)).getDate()", "25"),
        ("d.toLocaleString()", "2024/1/2 10:05:07"),
        ("d.toLocaleDateString()", "2024/1/2"),
        ("d.toLocaleTimeString()", "10:05:07"),
        ("d.toLocaleString('en-US')", "1/2/2024, 10:05:07 AM"),
        ("p.toLocaleTimeString('en-US')", "3:30:00 PM"),
        ("p.toLocaleString('zh-CN', { hour12: true })", "2024/12/25 下午3:30:00"),
        ("new Date(2024, 0, 2, 0, 5).toLocaleTimeString('zh-CN', { hour12: true })", "上午0:05:00"),
        ("new Date(2024, 0, 2, 0, 5).toLocaleTimeString('en-US', { hour12: false })", "24:05:00"),
        ("new Date(NaN).toLocaleString()", "Invalid Date"),
        ("d.toLocaleDateString('zh-CN', { year: 'numeric', month: 'long', day: 'numeric' })", "2024年1月2日"),
        ("d.toLocaleDateString('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit' })", "2024/01/02"),
        ("d.toLocaleDateString('zh-CN', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' })", "2024年1月2日星期二"),
        ("d.toLocaleDateString('zh-CN', { weekday: 'short' })", "周二"),
        ("d.toLocaleDateString('zh-CN', { month: 'long' })", "一月"),
        ("d.toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric' })", "January 2, 2024"),
        ("d.toLocaleDateString('en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' })", "Tuesday, January 2, 2024"),
        ("d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', weekday: 'short' })", "Tue, Jan 2"),
        ("d.toLocaleDateString('en-US', { year: 'numeric', month: '2-digit', day: '2-digit' })", "01/02/2024"),
        ("p.toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit' })", "03:30 PM"),
        ("p.toLocaleTimeString('zh-CN', { hour: 'numeric', minute: '2-digit', hour12: true })", "下午3:30"),
        ("d.toLocaleTimeString('zh-CN', { hour: 'numeric' })", "10时"),
        (
            "new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
              minute: '2-digit', second: '2-digit' }).format(d)",
            "2024/01/02 10:05:07",
        ),
        (
            "new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric',
              minute: '2-digit' }).format(p)",
            "December 25, 2024 at 3:30 PM",
        ),
        ("new Intl.DateTimeFormat('zh-CN').format(d)", "2024/1/2"),
        ("new Intl.DateTimeFormat('en-US').format(d)", "1/2/2024"),
        ("new Intl.DateTimeFormat('zh-CN', { dateStyle: 'full' }).format(d)", "2024年1月2日星期二"),
        ("new Intl.DateTimeFormat('zh-CN', { dateStyle: 'medium', timeStyle: 'short' }).format(d)", "2024年1月2日 10:05"),
        ("new Intl.DateTimeFormat('zh-CN', { dateStyle: 'short' }).format(d)", "2024/1/2"),
        ("new Intl.DateTimeFormat('en-US', { dateStyle: 'full', timeStyle: 'medium' }).format(p)", "Wednesday, December 25, 2024 at 3:30:00 PM"),
        ("new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' }).format(p)", "Dec 25, 2024, 3:30 PM"),
        ("new Intl.DateTimeFormat('en-US', { dateStyle: 'short' }).format(p)", "12/25/24"),
        // A named zone without daylight saving is honoured.
        ("new Date(Date.UTC(2024, 0, 1, 18, 5)).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' })", "2024/1/2 02:05:00"),
        ("new Date(Date.UTC(2024, 0, 2, 1, 5)).toLocaleString('en-US', { timeZone: 'UTC', timeStyle: 'long' })", "1:05:00 AM UTC"),
        ("new Date(Date.UTC(2024, 0, 2, 1, 5)).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', timeStyle: 'full' })", "中国标准时间 09:05:00"),
        ("new Intl.DateTimeFormat('en-US', { timeZone: 'UTC' }).resolvedOptions().timeZone", "UTC"),
        (
            "(() => { try { new Intl.DateTimeFormat('en', { dateStyle: 'long', month: 'long' }) } catch (e) { return e.name } })()",
            "TypeError",
        ),
        ("(() => { try { new Intl.DateTimeFormat('en').format(NaN) } catch (e) { return e.name } })()", "RangeError"),
    ]);
}

#[test]
fn parts_are_what_date_and_number_libraries_read() {
    check(&[
        // As dayjs's timezone plugin asks.
        (
            "new Intl.DateTimeFormat('en-US', { hour12: false, timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit',
              day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
              .formatToParts(new Date(Date.UTC(2024, 0, 1, 18, 5, 7))).map((p) => p.type + '=' + p.value).join(' ')",
            "month=01 literal=/ day=02 literal=/ year=2024 literal=,  hour=02 literal=: minute=05 literal=: second=07",
        ),
        (
            "new Intl.DateTimeFormat('zh-CN', { dateStyle: 'full' }).formatToParts(new Date(2024, 0, 2))
              .map((p) => p.type + '=' + p.value).join(' ')",
            "year=2024 literal=年 month=1 literal=月 day=2 literal=日 weekday=星期二",
        ),
        (
            "new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' }).formatToParts(-1234.5)
              .map((p) => p.type + '=' + p.value).join(' ')",
            "minusSign=- currency=¥ integer=1 group=, integer=234 decimal=. fraction=50",
        ),
    ]);
}

#[test]
fn strings_compare_as_icu_orders_them() {
    check(&[
        ("['b', 'A', 'a', 'B', 'ä', 'z', 'Z'].sort((x, y) => x.localeCompare(y)).join()", "a,A,ä,b,B,z,Z"),
        (
            "['item10', 'item2', 'Item1'].sort((x, y) => x.localeCompare(y, undefined, { numeric: true })).join()",
            "Item1,item2,item10",
        ),
        (
            "['item10', 'item2', 'Item1'].sort(new Intl.Collator('zh-CN', { numeric: true }).compare).join()",
            "Item1,item2,item10",
        ),
        (
            "['résumé', 'resume', 'Resume', 'ß', 'ss', 'a b', 'a-b', 'ab'].sort((x, y) => x.localeCompare(y)).join('|')",
            "a b|a-b|ab|resume|Resume|résumé|ss|ß",
        ),
        (
            "'a'.localeCompare('Á', 'en', { sensitivity: 'base' }) + ',' + 'a'.localeCompare('á', 'en', { sensitivity: 'accent' })",
            "0,-1",
        ),
        ("['，', '1', '#', '（', 'a', ' ', '$'].sort((x, y) => x.localeCompare(y)).join('')", " ，（#$1a"),
        ("'abc'.localeCompare('abc') + ',' + String.prototype.localeCompare.length", "0,1"),
    ]);
}

#[test]
fn the_platforms_date_strings_parse_as_local_time() {
    // QuickJS-NG parses these itself, as Chrome does: what needs no shim gets none.
    check(&[
        ("new Date('2024/01/02 10:00').getTime() === new Date(2024, 0, 2, 10, 0).getTime()", "true"),
        ("new Date('2024/01/02').getTime() === new Date(2024, 0, 2).getTime()", "true"),
        ("new Date('2024-01-02 10:00').getTime() === new Date(2024, 0, 2, 10, 0).getTime()", "true"),
        ("new Date('2024-01-02 10:00:30').getTime() === new Date(2024, 0, 2, 10, 0, 30).getTime()", "true"),
        ("new Date('2024/1/2 10:00:30').getTime() === new Date(2024, 0, 2, 10, 0, 30).getTime()", "true"),
        ("new Date('2024-01-02T10:00').getTime() === new Date(2024, 0, 2, 10, 0).getTime()", "true"),
        // A date-only ISO string is UTC midnight, as the spec says.
        ("new Date('2024-01-02').getTime() === Date.UTC(2024, 0, 2)", "true"),
        ("new Date('2024-01-02T10:00:00+08:00').toISOString()", "2024-01-02T02:00:00.000Z"),
        ("new Date('2024-01-02T10:00:00.123Z').getMilliseconds()", "123"),
        ("isNaN(new Date('not a date'))", "true"),
    ]);
}

#[test]
fn recent_built_ins_are_there() {
    check(&[
        ("JSON.stringify([1, [2, [3]]].flat(Infinity))", "[1,2,3]"),
        ("'a-b-c'.replaceAll('-', '+')", "a+b+c"),
        ("[1, 2, 3].at(-1) + 'xyz'.at(-1)", "3z"),
        ("[1, 2, 3, 4].findLast((x) => x % 2) + [1, 2, 3, 4].findLastIndex((x) => x % 2)", "5"),
        (
            "JSON.stringify(Object.groupBy([1, 2, 3], (x) => (x % 2 ? 'odd' : 'even')))",
            r#"{"odd":[1,3],"even":[2]}"#,
        ),
        (
            "[3, 1, 2].toSorted().join() + [1, 2].toReversed().join() + [1, 2].with(0, 9).join()",
            "1,2,32,19,2",
        ),
        ("Object.hasOwn({ a: 1 }, 'a')", "true"),
        ("'5'.padStart(3, '0') + ' x '.trimEnd()", "005 x"),
        ("JSON.stringify(Object.fromEntries([['a', 1]]))", r#"{"a":1}"#),
        (
            "typeof Promise.allSettled + typeof Promise.any + typeof Promise.withResolvers",
            "functionfunctionfunction",
        ),
        ("typeof new Set([1]).union", "function"),
        // Function source text is kept, as code that inspects a function's text expects.
        ("(function foo(a, b) { return a + b; }).toString()", "function foo(a, b) { return a + b; }"),
        ("((a) => a * 2).toString()", "(a) => a * 2"),
        ("Math.max.toString()", "function max() {\n    [native code]\n}"),
    ]);
}

#[test]
fn intl_is_evaluated_only_when_first_used() {
    let format = "(5).toLocaleString() + new Date(0).toLocaleDateString('en', { timeZone: 'UTC' })";
    let (before, after, again) = with_engine(move |engine| {
        engine.collect_garbage();
        let before = engine.heap().0;
        assert_eq!(engine.evaluate(0, "typeof Intl"), Outcome::Returned(Some("object".into())));
        assert_eq!(engine.evaluate(0, format), Outcome::Returned(Some("51/1/1970".into())));
        engine.collect_garbage();
        let after = engine.heap().0;
        assert_eq!(engine.evaluate(0, format), Outcome::Returned(Some("51/1/1970".into())));
        engine.collect_garbage();
        (before, after, engine.heap().0)
    });
    // About 80 KB with rquickjs 0.14; the prelude itself is about 8 KB.
    println!("heap before Intl {before} B, after it formatted {after} B, after formatting again {again} B");
    assert!(after > before + 20_000, "evaluating intl.js takes heap: {before} → {after}");
    assert!(again <= after + 1_024, "it is evaluated once: {after} → {again}");
}
