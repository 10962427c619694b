// The part of `Intl` mini-programs use, for the two locales the platform runs in: zh-CN (its
// default) and en-US. QuickJS has no `Intl`; this prints and orders what Chrome and Node do
// for these locales. Any other locale is served as zh-CN (numbers group the same way in
// both). Time zones: the device's, and the named ones without daylight saving in ZONES;
// another name is shown in the device's time. Evaluated only when a script first touches
// `Intl`, a `toLocale*String` or `localeCompare` (see prelude.js): an instance that never
// formats pays no heap for it. The completion value is the namespace and what the built-in
// methods call.
(function () {
  'use strict';

  function locale(locales) {
    var tag = Array.isArray(locales) ? locales[0] : locales;
    if (tag === undefined) return 'zh-CN';
    if (typeof tag !== 'string') tag = String(tag);
    if (!/^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/.test(tag)) {
      throw new RangeError('Incorrect locale information provided');
    }
    return /^en\b/i.test(tag) ? 'en-US' : 'zh-CN';
  }

  function supportedLocalesOf(locales) {
    var list = locales === undefined ? [] : Array.isArray(locales) ? locales : [locales];
    return list.filter(function (tag) {
      return /^(en|zh)\b/i.test(String(tag));
    });
  }

  function option(options, name, allowed, fallback) {
    var v = options[name];
    if (v === undefined) return fallback;
    v = String(v);
    if (allowed.indexOf(v) < 0) {
      throw new RangeError('Value ' + v + ' out of range for Intl options property ' + name);
    }
    return v;
  }

  function digitsOption(options, name, min, max, fallback) {
    var v = options[name];
    if (v === undefined) return fallback;
    v = Number(v);
    if (!(v >= min && v <= max)) throw new RangeError(name + ' value is out of range.');
    return Math.floor(v);
  }

  // ---- numbers -----------------------------------------------------------------------
  // A finite, non-negative number as its shortest decimal digits and the position of the
  // decimal point: 1234.5 is { digits: '12345', point: 4 }. Rounding works on these digits,
  // as ICU does, so 1.005 rounds to 1.01 and not to the binary value's 1.00.
  function decimal(x) {
    var s = String(x);
    var exp = 0;
    var e = s.indexOf('e');
    if (e >= 0) {
      exp = Number(s.slice(e + 1));
      s = s.slice(0, e);
    }
    var dot = s.indexOf('.');
    var whole = dot < 0 ? s.length : dot;
    var digits = s.replace('.', '');
    var lead = 0;
    while (lead < digits.length - 1 && digits[lead] === '0') lead++;
    return { digits: digits.slice(lead), point: whole + exp - lead };
  }

  // Keeps the first `keep` digits, rounding half away from zero.
  function round(dec, keep) {
    var digits = dec.digits;
    if (keep >= digits.length) return dec;
    if (keep < 0) return { digits: '', point: dec.point };
    var kept = digits.slice(0, keep).split('');
    var point = dec.point;
    if (digits.charCodeAt(keep) >= 53) {
      var i = kept.length - 1;
      while (i >= 0 && kept[i] === '9') {
        kept[i] = '0';
        i--;
      }
      if (i < 0) {
        kept.unshift('1');
        point++;
      } else {
        kept[i] = String(Number(kept[i]) + 1);
      }
    }
    return { digits: kept.join(''), point: point };
  }

  function zeros(n) {
    return n > 0 ? '0'.repeat(n) : '';
  }

  // The integer digits in groups of three from the right.
  function group(int) {
    var out = [];
    for (var end = int.length; end > 0; end -= 3) out.unshift(int.slice(Math.max(0, end - 3), end));
    return out;
  }

  var CURRENCY_DIGITS = { JPY: 0, KRW: 0, VND: 0, TWD: 2 };
  var SYMBOLS = {
    'zh-CN': { CNY: '¥', USD: 'US$', JPY: 'JP¥', EUR: '€', GBP: '£', HKD: 'HK$', TWD: 'NT$', KRW: '₩' },
    'en-US': { CNY: 'CN¥', USD: '$', JPY: '¥', EUR: '€', GBP: '£', HKD: 'HK$', TWD: 'NT$', KRW: '₩' },
  };
  var NARROW = { CNY: '¥', USD: '$', JPY: '¥', HKD: '$', TWD: '$' };

  function NumberFormat(locales, options) {
    if (!(this instanceof NumberFormat)) return new NumberFormat(locales, options);
    var o = options === undefined ? {} : Object(options);
    this._locale = locale(locales);
    this._style = option(o, 'style', ['decimal', 'percent', 'currency', 'unit'], 'decimal');
    var currency = o.currency;
    if (currency !== undefined) {
      currency = String(currency);
      if (!/^[A-Za-z]{3}$/.test(currency)) throw new RangeError('Invalid currency code : ' + currency);
      currency = currency.toUpperCase();
    }
    if (this._style === 'currency' && currency === undefined) {
      throw new TypeError('Currency code is required with currency style.');
    }
    this._currency = currency;
    this._currencyDisplay = option(o, 'currencyDisplay', ['symbol', 'narrowSymbol', 'code', 'name'], 'symbol');
    this._minInt = digitsOption(o, 'minimumIntegerDigits', 1, 21, 1);
    var cDigits = 2;
    if (currency !== undefined && Object.hasOwn(CURRENCY_DIGITS, currency)) {
      cDigits = CURRENCY_DIGITS[currency];
    }
    var defMin = this._style === 'currency' ? cDigits : 0;
    var defMax = this._style === 'currency' ? cDigits : this._style === 'percent' ? 0 : 3;
    var minFrac = digitsOption(o, 'minimumFractionDigits', 0, 100, undefined);
    var maxFrac = digitsOption(o, 'maximumFractionDigits', 0, 100, undefined);
    if (minFrac === undefined) minFrac = Math.min(defMin, maxFrac === undefined ? defMin : maxFrac);
    if (maxFrac === undefined) maxFrac = Math.max(defMax, minFrac);
    if (minFrac > maxFrac) throw new RangeError('maximumFractionDigits value is out of range.');
    this._minFrac = minFrac;
    this._maxFrac = maxFrac;
    var minSig = digitsOption(o, 'minimumSignificantDigits', 1, 21, undefined);
    var maxSig = digitsOption(o, 'maximumSignificantDigits', 1, 21, undefined);
    if (minSig !== undefined || maxSig !== undefined) {
      this._minSig = minSig === undefined ? 1 : minSig;
      this._maxSig = maxSig === undefined ? 21 : maxSig;
      if (this._minSig > this._maxSig) {
        throw new RangeError('maximumSignificantDigits value is out of range.');
      }
    }
    this._grouping = o.useGrouping === undefined ? true : Boolean(o.useGrouping);
  }

  NumberFormat.prototype.formatToParts = function (value) {
    var x = Number(value);
    var negative = x < 0 || Object.is(x, -0);
    var body = [];
    if (Number.isNaN(x)) {
      negative = false;
      body.push({ type: 'nan', value: 'NaN' });
    } else if (!Number.isFinite(x)) {
      body.push({ type: 'infinity', value: '∞' });
    } else {
      var dec = decimal(Math.abs(x));
      if (this._style === 'percent') dec = { digits: dec.digits, point: dec.point + 2 };
      var sig = this._maxSig !== undefined;
      dec = round(dec, sig ? this._maxSig : dec.point + this._maxFrac);
      var digits = dec.digits;
      var point = dec.point;
      var int = point > 0 ? (digits.slice(0, point) + zeros(point - digits.length)).replace(/^0+/, '') : '';
      var frac = point >= 0 ? digits.slice(point) : zeros(-point) + digits;
      frac = frac.replace(/0+$/, '');
      var minFrac = this._minFrac;
      if (sig) {
        var shown = (int + frac).replace(/^0+/, '').length;
        minFrac = frac.length + Math.max(0, this._minSig - Math.max(shown, 1));
        if (int === '' && shown === 0) minFrac = this._minSig - 1;
      }
      frac += zeros(minFrac - frac.length);
      int = zeros(this._minInt - int.length) + int;
      (this._grouping ? group(int) : [int]).forEach(function (chunk, i) {
        if (i) body.push({ type: 'group', value: ',' });
        body.push({ type: 'integer', value: chunk });
      });
      if (frac) body.push({ type: 'decimal', value: '.' }, { type: 'fraction', value: frac });
    }
    if (this._style === 'percent') body.push({ type: 'percentSign', value: '%' });
    var parts = negative ? [{ type: 'minusSign', value: '-' }] : [];
    if (this._style === 'currency') {
      var code = this._currency;
      var symbols = SYMBOLS[this._locale];
      var display = this._currencyDisplay;
      if (display === 'narrowSymbol' && Object.hasOwn(NARROW, code)) {
        parts.push({ type: 'currency', value: NARROW[code] });
      } else if (display !== 'code' && Object.hasOwn(symbols, code)) {
        parts.push({ type: 'currency', value: symbols[code] });
      } else {
        parts.push({ type: 'currency', value: code });
        // A code is set apart from digits, not from NaN or ∞.
        if (body[0].type === 'integer') parts.push({ type: 'literal', value: '\u00a0' });
      }
    }
    return parts.concat(body);
  };

  NumberFormat.prototype.format = function (value) {
    return this.formatToParts(value)
      .map(function (part) {
        return part.value;
      })
      .join('');
  };

  NumberFormat.prototype.resolvedOptions = function () {
    var r = {
      locale: this._locale,
      numberingSystem: 'latn',
      style: this._style,
      minimumIntegerDigits: this._minInt,
      minimumFractionDigits: this._minFrac,
      maximumFractionDigits: this._maxFrac,
      useGrouping: this._grouping ? 'auto' : false,
      notation: 'standard',
      signDisplay: 'auto',
      roundingMode: 'halfExpand',
    };
    if (this._currency !== undefined) {
      r.currency = this._currency;
      r.currencyDisplay = this._currencyDisplay;
    }
    if (this._maxSig !== undefined) {
      r.minimumSignificantDigits = this._minSig;
      r.maximumSignificantDigits = this._maxSig;
    }
    return r;
  };
  NumberFormat.supportedLocalesOf = supportedLocalesOf;

  // ---- dates -------------------------------------------------------------------------
  var EN_MONTHS = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ];
  var EN_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  var ZH_NUMBERS = ['日', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
  var FIELDS = ['weekday', 'year', 'month', 'day', 'hour', 'minute', 'second'];
  var TEXT = ['long', 'short', 'narrow'];
  var NUMERIC = ['numeric', '2-digit'];
  var STYLES = ['full', 'long', 'medium', 'short'];
  // Zones without daylight saving that mini-programs name, by offset in minutes; any other
  // zone is shown in the device's local time.
  var ZONES = {
    UTC: 0,
    'Etc/UTC': 0,
    GMT: 0,
    'Etc/GMT': 0,
    'Asia/Shanghai': 480,
    'Asia/Chongqing': 480,
    'Asia/Hong_Kong': 480,
    'Asia/Macau': 480,
    'Asia/Taipei': 480,
    'Asia/Singapore': 480,
    'Asia/Tokyo': 540,
    'Asia/Seoul': 540,
  };
  var DATE_STYLES = {
    full: { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' },
    long: { year: 'numeric', month: 'long', day: 'numeric' },
    medium: { year: 'numeric', month: 'short', day: 'numeric' },
    short: { year: '2-digit', month: 'numeric', day: 'numeric' },
  };
  var TIME_STYLES = {
    full: { hour: 'numeric', minute: '2-digit', second: '2-digit' },
    long: { hour: 'numeric', minute: '2-digit', second: '2-digit' },
    medium: { hour: 'numeric', minute: '2-digit', second: '2-digit' },
    short: { hour: 'numeric', minute: '2-digit' },
  };

  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }

  // `required` and `defaults` are ToDateTimeOptions' ('date', 'time' or 'any'; 'date',
  // 'time' or 'all'): what toLocaleDateString, toLocaleTimeString and format each show when
  // no field is asked for.
  function DateTimeFormat(locales, options, required, defaults) {
    if (!(this instanceof DateTimeFormat)) return new DateTimeFormat(locales, options);
    var o = options === undefined ? {} : Object(options);
    this._locale = locale(locales);
    var f = {};
    var any = false;
    for (var i = 0; i < FIELDS.length; i++) {
      var name = FIELDS[i];
      var allowed = name === 'weekday' ? TEXT : name === 'month' ? NUMERIC.concat(TEXT) : NUMERIC;
      f[name] = option(o, name, allowed, undefined);
      if (f[name] !== undefined) any = true;
    }
    var dateStyle = option(o, 'dateStyle', STYLES, undefined);
    var timeStyle = option(o, 'timeStyle', STYLES, undefined);
    if (dateStyle || timeStyle) {
      if (any) throw new TypeError("Can't set option " + 'month' + ' when dateStyle is used');
      Object.assign(f, DATE_STYLES[dateStyle], TIME_STYLES[timeStyle]);
      if (this._locale === 'zh-CN' && dateStyle === 'short') f.year = 'numeric';
      if (this._locale === 'zh-CN' && timeStyle) f.hour = '2-digit';
    } else {
      var req = required || 'any';
      var dateAsked = f.weekday || f.year || f.month || f.day;
      var timeAsked = f.hour || f.minute || f.second;
      var needs = !((req !== 'time' && dateAsked) || (req !== 'date' && timeAsked));
      var def = defaults || 'date';
      if (needs && def !== 'time') f.year = f.month = f.day = 'numeric';
      if (needs && def !== 'date') f.hour = f.minute = f.second = 'numeric';
    }
    this._fields = f;
    this._dateStyle = dateStyle;
    this._timeStyle = timeStyle;
    var hour12 = o.hour12 === undefined ? undefined : Boolean(o.hour12);
    var cycle = option(o, 'hourCycle', ['h11', 'h12', 'h23', 'h24'], undefined);
    if (hour12 === undefined && cycle !== undefined) hour12 = cycle === 'h11' || cycle === 'h12';
    this._hour12 = hour12 === undefined ? this._locale === 'en-US' : hour12;
    // As Chrome: hour12 false where the locale counts 1-12 means 1-24 (midnight is 24:05).
    this._midnight24 = cycle === 'h24' || (o.hour12 === false && this._locale === 'en-US');
    var zone = o.timeZone;
    this._zone = undefined;
    if (zone !== undefined) {
      zone = String(zone);
      var known = Object.keys(ZONES).filter(function (k) {
        return k.toLowerCase() === zone.toLowerCase();
      })[0];
      if (known !== undefined) this._zone = known;
      else if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone)) {
        throw new RangeError('Invalid time zone specified: ' + zone);
      }
    }
  }

  function offsetName(minutes) {
    if (minutes === 0) return 'UTC';
    var sign = minutes < 0 ? '-' : '+';
    var m = Math.abs(minutes);
    return 'GMT' + sign + Math.floor(m / 60) + (m % 60 ? ':' + pad(m % 60) : '');
  }

  function zoneName(locale, minutes, full) {
    if (full && minutes === 480) return locale === 'en-US' ? 'China Standard Time' : '中国标准时间';
    if (full && minutes === 0) return locale === 'en-US' ? 'Coordinated Universal Time' : '协调世界时';
    return offsetName(minutes);
  }

  // Parts as formatToParts gives them: { type, value }, the text between fields 'literal'.
  function Parts() {
    this.list = [];
  }
  Parts.prototype.add = function (type, value) {
    var last = this.list[this.list.length - 1];
    if (value === '') return this;
    if (type === 'literal' && last && last.type === 'literal') last.value += value;
    else this.list.push({ type: type, value: value });
    return this;
  };
  Parts.prototype.text = function (value) {
    return this.add('literal', value);
  };
  Parts.prototype.concat = function (other) {
    var self = this;
    other.list.forEach(function (part) {
      self.add(part.type, part.value);
    });
    return this;
  };
  Parts.prototype.empty = function () {
    return this.list.length === 0;
  };

  function enDate(f, v) {
    var month = f.month;
    var y = f.year === '2-digit' ? pad(v.year % 100) : f.year ? String(v.year) : '';
    var d = f.day === '2-digit' ? pad(v.day) : f.day ? String(v.day) : '';
    var w = f.weekday ? EN_DAYS[v.weekday] : '';
    if (w && f.weekday !== 'long') w = f.weekday === 'short' ? w.slice(0, 3) : w[0];
    var out = new Parts().add('weekday', w);
    var dated = Boolean(month || d || y);
    if (w && dated) out.text(', ');
    if (month === 'long' || month === 'short' || month === 'narrow') {
      var m = EN_MONTHS[v.month];
      out.add('month', month === 'long' ? m : month === 'short' ? m.slice(0, 3) : m[0]);
      if (d) out.text(' ').add('day', d);
      if (y) out.text(d ? ', ' : ' ').add('year', y);
    } else {
      var fields = [];
      if (month) fields.push(['month', month === '2-digit' ? pad(v.month + 1) : String(v.month + 1)]);
      if (d) fields.push(['day', d]);
      if (y) fields.push(['year', y]);
      fields.forEach(function (field, i) {
        if (i) out.text('/');
        out.add(field[0], field[1]);
      });
    }
    return out;
  }

  // zh-CN spells the date out (2024年1月2日) where it would otherwise use slashes.
  function zhSpelled(f) {
    var month = f.month;
    if ((month === 'long' || month === 'short') && (f.year || f.day)) return true;
    if (month === '2-digit' && f.year && !f.day) return true;
    return Boolean(f.weekday && f.hour && f.year && month && f.day);
  }

  function zhDate(f, v) {
    var month = f.month;
    var y = f.year === '2-digit' ? pad(v.year % 100) : f.year ? String(v.year) : '';
    var d = f.day === '2-digit' ? pad(v.day) : f.day ? String(v.day) : '';
    var m = month === '2-digit' ? pad(v.month + 1) : month ? String(v.month + 1) : '';
    var w = '';
    if (f.weekday) {
      var day = ZH_NUMBERS[v.weekday];
      w = f.weekday === 'long' ? '星期' + day : f.weekday === 'short' ? '周' + day : day;
    }
    var out = new Parts();
    if (month && !y && !d) {
      if (month === 'long') out.add('month', ZH_NUMBERS[v.month + 1] + '月');
      else if (month === 'short') out.add('month', m + '月');
      else if (month === 'narrow') out.add('month', m);
      else out.add('month', m).text('月');
    } else if (zhSpelled(f)) {
      if (y) out.add('year', y).text('年');
      out.add('month', String(v.month + 1)).text('月');
      if (d) out.add('day', d).text('日');
    } else if (!month && (y || d) && !(y && d)) {
      if (y) out.add('year', y).text('年');
      else out.add('day', d).text('日');
    } else {
      var fields = [];
      if (y) fields.push(['year', y]);
      if (m) fields.push(['month', m]);
      if (d) fields.push(['day', d]);
      fields.forEach(function (field, i) {
        if (i) out.text('/');
        out.add(field[0], field[1]);
      });
    }
    return out.add('weekday', w);
  }

  function time(locale, f, v, format) {
    var h = v.hour;
    var hour12 = format._hour12;
    var out = new Parts();
    if (f.hour) {
      var hh;
      var padded = f.hour === '2-digit';
      if (hour12) {
        hh = locale === 'en-US' ? h % 12 || 12 : h % 12;
      } else {
        hh = h === 0 && format._midnight24 ? 24 : h;
        // zh-CN pads a 24-hour clock unless the hour stands alone or follows a spelled date.
        padded = padded || locale === 'en-US' || ((f.minute || f.second) && !zhSpelled(f));
      }
      var period = h < 12 ? 'AM' : 'PM';
      if (hour12 && locale === 'zh-CN') out.add('dayPeriod', h < 12 ? '上午' : '下午');
      out.add('hour', padded ? pad(hh) : String(hh));
      if (f.minute) out.text(':').add('minute', pad(v.minute));
      if (f.second) out.text(':').add('second', pad(v.second));
      if (!f.minute && !f.second && locale === 'zh-CN') out.text('时');
      if (hour12 && locale === 'en-US') out.text(' ').add('dayPeriod', period);
    } else if (f.minute && f.second) {
      out.add('minute', pad(v.minute)).text(':').add('second', pad(v.second));
    } else if (f.minute) {
      out.add('minute', f.minute === '2-digit' ? pad(v.minute) : String(v.minute));
    } else if (f.second) {
      out.add('second', f.second === '2-digit' ? pad(v.second) : String(v.second));
    }
    return out;
  }

  DateTimeFormat.prototype.formatToParts = function (date) {
    var t = date === undefined ? Date.now() : Number(date);
    if (!Number.isFinite(t)) throw new RangeError('Invalid time value');
    var offset;
    var d = new Date(t);
    if (this._zone !== undefined) {
      offset = ZONES[this._zone];
      d = new Date(t + offset * 60000);
    } else {
      offset = -d.getTimezoneOffset();
    }
    var utc = this._zone !== undefined;
    var v = {
      year: utc ? d.getUTCFullYear() : d.getFullYear(),
      month: utc ? d.getUTCMonth() : d.getMonth(),
      day: utc ? d.getUTCDate() : d.getDate(),
      weekday: utc ? d.getUTCDay() : d.getDay(),
      hour: utc ? d.getUTCHours() : d.getHours(),
      minute: utc ? d.getUTCMinutes() : d.getMinutes(),
      second: utc ? d.getUTCSeconds() : d.getSeconds(),
    };
    var f = this._fields;
    var en = this._locale === 'en-US';
    var datePart = en ? enDate(f, v) : zhDate(f, v);
    var timePart = time(this._locale, f, v, this);
    var style = this._timeStyle;
    if (style === 'full' || style === 'long') {
      var zone = new Parts().add('timeZoneName', zoneName(this._locale, offset, style === 'full'));
      timePart = en ? timePart.text(' ').concat(zone) : zone.text(' ').concat(timePart);
    }
    if (!datePart.empty() && !timePart.empty()) {
      var weekdayOnly = f.weekday && !f.year && !f.month && !f.day;
      var at = this._dateStyle === 'full' || this._dateStyle === 'long' || (!this._dateStyle && f.month === 'long');
      if (!en) datePart.text(weekdayOnly ? '' : ' ');
      else datePart.text(weekdayOnly ? ' ' : at ? ' at ' : ', ');
    }
    return datePart.concat(timePart).list;
  };

  DateTimeFormat.prototype.format = function (date) {
    return this.formatToParts(date)
      .map(function (part) {
        return part.value;
      })
      .join('');
  };

  DateTimeFormat.prototype.resolvedOptions = function () {
    var zone = this._zone;
    if (zone === undefined) {
      var offset = -new Date().getTimezoneOffset();
      var named = Object.keys(ZONES).filter(function (k) {
        return ZONES[k] === offset && k.indexOf('/') > 0;
      })[0];
      zone = named || (offset % 60 ? 'UTC' : 'Etc/GMT' + (offset > 0 ? '-' : '+') + Math.abs(offset / 60));
      if (offset === 0) zone = 'UTC';
    }
    var r = { locale: this._locale, calendar: 'gregory', numberingSystem: 'latn', timeZone: zone };
    if (this._fields.hour) r.hour12 = this._hour12;
    for (var i = 0; i < FIELDS.length; i++) {
      if (this._fields[FIELDS[i]] && !this._dateStyle && !this._timeStyle) {
        r[FIELDS[i]] = this._fields[FIELDS[i]];
      }
    }
    if (this._dateStyle) r.dateStyle = this._dateStyle;
    if (this._timeStyle) r.timeStyle = this._timeStyle;
    return r;
  };
  DateTimeFormat.supportedLocalesOf = supportedLocalesOf;

  // ---- comparison -------------------------------------------------------------------
  // The root collation's broad strokes, as ICU orders Latin text: spaces, then punctuation
  // and symbols (the common ones in the order below, the others after them), digits, then
  // letters. Letters compare first without case or accents (a < Á < b), then by accents,
  // then lower case before upper. Han characters follow letters in code point order (ICU's
  // zh-CN orders them by pinyin).
  var PUNCTUATION = '_-–—,，、;；:：!！?？.…。·\'‘’"“”(（)）[]{}《》「」『』【】§¶@*/\\&#%•※`^°©®+±÷×<=>|~～$£¥￥€™';
  var EXPANSIONS = { æ: 'ae', œ: 'oe', ß: 'ss', ø: 'o\u0338', đ: 'd\u0335', ł: 'l\u0337', ı: 'i' };
  var SPACE = 1;
  var PUNCT = 2;
  var SYMBOL = 3;
  var CURRENCY = 4;
  var DIGIT = 5;
  var LETTER = 6;
  var CLASS = 0x200000;

  // Unicode property classes take tens of kilobytes compiled; only text beyond plain ASCII
  // needs them, so they are built on the first such comparison.
  var tables = null;
  function unicode() {
    if (tables === null) {
      tables = {
        // biome-ignore lint/complexity/useRegexLiterals: a literal would be compiled with intl.js.
        mark: new RegExp('\\p{M}', 'u'),
        // biome-ignore lint/complexity/useRegexLiterals: as above.
        punctuation: new RegExp('\\p{P}', 'u'),
        // biome-ignore lint/complexity/useRegexLiterals: as above.
        currency: new RegExp('\\p{Sc}', 'u'),
        // biome-ignore lint/complexity/useRegexLiterals: as above.
        symbol: new RegExp('\\p{S}', 'u'),
        // biome-ignore lint/complexity/useRegexLiterals: as above.
        digit: new RegExp('\\p{Nd}', 'u'),
      };
    }
    return tables;
  }

  // The primary weight of one character (lower case, not a mark).
  function weight(u) {
    var code = u.charCodeAt(0);
    // Letters and digits of ASCII, and Han, without a look at Unicode's tables.
    if ((code >= 0x61 && code <= 0x7a) || (code >= 0x3400 && code < 0xa000)) return LETTER * CLASS + code;
    if (code >= 0x30 && code <= 0x39) return DIGIT * CLASS + code;
    if (code === 0x20) return SPACE * CLASS + code;
    var at = PUNCTUATION.indexOf(u);
    if (at >= 0) return PUNCT * CLASS + at;
    if (/\s/.test(u)) return SPACE * CLASS + code;
    var classes = unicode();
    if (classes.punctuation.test(u)) return PUNCT * CLASS + 0x100 + code;
    if (classes.currency.test(u)) return CURRENCY * CLASS + code;
    if (classes.symbol.test(u)) return SYMBOL * CLASS + code;
    if (classes.digit.test(u)) return DIGIT * CLASS + code;
    return LETTER * CLASS + code;
  }

  // Collation elements: a primary weight, the accents on it, and a case weight each.
  function elements(text, numeric) {
    var primary = [];
    var accents = [];
    var cases = [];
    var chars = Array.from(String(text).normalize('NFD'));
    for (var i = 0; i < chars.length; i++) {
      var ch = chars[i];
      if (ch.charCodeAt(0) >= 0x300 && unicode().mark.test(ch)) {
        if (accents.length) accents[accents.length - 1] += ch;
        continue;
      }
      if (numeric && /\d/.test(ch)) {
        var run = ch;
        while (i + 1 < chars.length && /\d/.test(chars[i + 1])) run += chars[++i];
        var digits = run.replace(/^0+(?=.)/, '');
        primary.push(DIGIT * CLASS + 0x100000 + digits.length);
        for (var k = 0; k < digits.length; k++) primary.push(DIGIT * CLASS + digits.charCodeAt(k));
        for (k = 0; k <= digits.length; k++) {
          accents.push('');
          cases.push(0);
        }
        continue;
      }
      var lower = ch.toLowerCase();
      var upper = lower !== ch ? 2 : 0;
      var expanded = EXPANSIONS[lower];
      var units = expanded ? expanded.normalize('NFD') : lower;
      for (var j = 0; j < units.length; j++) {
        var u = units[j];
        if (u.charCodeAt(0) >= 0x300 && unicode().mark.test(u)) {
          accents[accents.length - 1] += u;
          continue;
        }
        primary.push(weight(u));
        accents.push('');
        cases.push(upper);
        // æ and ß differ from ae and ss as accents do.
        if (expanded && j === 0 && !unicode().mark.test(units)) accents[accents.length - 1] += '\u0001';
      }
    }
    return { primary: primary, accents: accents, cases: cases };
  }

  function compareLists(a, b) {
    var n = Math.min(a.length, b.length);
    for (var i = 0; i < n; i++) {
      if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }

  var PLAIN = /^[a-zA-Z0-9 ]*$/;
  var SIMPLE = /^[\x20-\x7e\u3400-\u9fff]*$/;

  // Whether the character at `i` belongs with the one before it (a mark, a surrogate's second
  // half, a digit of a number, a character that composes with the one before).
  function continues(text, i, numeric) {
    var code = text.charCodeAt(i);
    if (Number.isNaN(code)) return false;
    if (code >= 0xdc00 && code < 0xe000) return true;
    if (numeric && code >= 0x30 && code <= 0x39) return /\d/.test(text[i - 1]);
    return code >= 0x300 && !((code >= 0x3400 && code < 0xa000) || PUNCTUATION.indexOf(text[i]) >= 0);
  }

  function compare(a, b, sensitivity, numeric) {
    if (a === b) return 0;
    // Spaces, ASCII digits and letters alone (most keys) already sort by code unit once
    // lower-cased; the first difference in case breaks a tie.
    if (!numeric && PLAIN.test(a) && PLAIN.test(b)) {
      var la = a.toLowerCase();
      var lb = b.toLowerCase();
      if (la !== lb) return la < lb ? -1 : 1;
      if (sensitivity !== 'case' && sensitivity !== 'variant') return 0;
      for (var i = 0; a[i] === b[i]; i++);
      return a[i] > b[i] ? -1 : 1;
    }
    // A common start weighs the same in both: compare from the last character before the
    // strings differ that no mark or digit (in numeric mode) continues.
    var start = 0;
    while (start < a.length && a[start] === b[start]) start++;
    while (start > 0 && (continues(a, start, numeric) || continues(b, start, numeric))) start--;
    // Printable ASCII and Han have no marks and no expansions: one weight per character.
    if (!numeric && SIMPLE.test(a) && SIMPLE.test(b)) {
      var n = Math.min(a.length, b.length);
      for (var k = start; k < n; k++) {
        var wa = weight(a[k].toLowerCase());
        var wb = weight(b[k].toLowerCase());
        if (wa !== wb) return wa < wb ? -1 : 1;
      }
      if (a.length !== b.length) return a.length < b.length ? -1 : 1;
      if (sensitivity !== 'case' && sensitivity !== 'variant') return 0;
      return a[start] > b[start] ? -1 : 1;
    }
    var x = elements(start ? a.slice(start) : a, numeric);
    var y = elements(start ? b.slice(start) : b, numeric);
    var order = compareLists(x.primary, y.primary);
    if (order === 0 && (sensitivity === 'accent' || sensitivity === 'variant')) {
      order = compareLists(x.accents, y.accents);
    }
    if (order === 0 && (sensitivity === 'case' || sensitivity === 'variant')) {
      order = compareLists(x.cases, y.cases);
    }
    return order;
  }

  function Collator(locales, options) {
    if (!(this instanceof Collator)) return new Collator(locales, options);
    var o = options === undefined ? {} : Object(options);
    this._locale = locale(locales);
    this._usage = option(o, 'usage', ['sort', 'search'], 'sort');
    this._sensitivity = option(o, 'sensitivity', ['base', 'accent', 'case', 'variant'], 'variant');
    this._numeric = Boolean(o.numeric);
    var self = this;
    this.compare = function (a, b) {
      return compare(String(a), String(b), self._sensitivity, self._numeric);
    };
  }
  Collator.prototype.resolvedOptions = function () {
    return {
      locale: this._locale,
      usage: this._usage,
      sensitivity: this._sensitivity,
      ignorePunctuation: false,
      collation: 'default',
      numeric: this._numeric,
      caseFirst: 'false',
    };
  };
  Collator.supportedLocalesOf = supportedLocalesOf;

  // String.prototype.localeCompare's work.
  function localeCompare(a, b, locales, options) {
    if (locales !== undefined) locale(locales);
    if (options === undefined) return compare(a, b, 'variant', false);
    return new Collator(locales, options).compare(a, b);
  }

  var namespace = {
    NumberFormat: NumberFormat,
    DateTimeFormat: DateTimeFormat,
    Collator: Collator,
    getCanonicalLocales: function (locales) {
      var list = locales === undefined ? [] : Array.isArray(locales) ? locales : [locales];
      return list.map(String);
    },
  };
  Object.defineProperty(namespace, Symbol.toStringTag, { value: 'Intl', configurable: true });
  return {
    Intl: namespace,
    localeCompare: localeCompare,
    // For Date.prototype.toLocale*String, which show other fields by default than `format`.
    dateTime: function (locales, options, required, defaults) {
      return new DateTimeFormat(locales, options, required, defaults);
    },
  };
})();
