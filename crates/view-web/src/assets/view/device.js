// What only a person can answer for the device (scan a code, choose a location or images,
// make a call), the simulated device's location, the phone frame's size, and vibration.
import { answerHost, hostFetch } from './protocol.js';

// What the bridge needs a person for: the answer goes back over HTTP (it may carry files).
var deviceEl = document.getElementById('capsule-device-sheet');
function answerDevice(seq, answer) {
  deviceEl.className = '';
  answerHost('/capsule-device/' + seq, answer);
}
function field(body, label, type, value) {
  var l = document.createElement('label');
  l.textContent = label;
  var input = document.createElement('input');
  input.type = type;
  if (value !== undefined) input.value = value;
  if (type === 'number') input.step = 'any';
  l.appendChild(input);
  body.appendChild(l);
  return input;
}
function base64Of(buffer) {
  var bytes = new Uint8Array(buffer),
    out = '';
  for (var i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(out);
}
export function deviceRequest(msg) {
  var body = deviceEl.querySelector('.body');
  var title = deviceEl.querySelector('.title');
  var confirm = deviceEl.querySelector('.confirm');
  body.innerHTML = '';
  confirm.textContent = 'OK';
  deviceEl.querySelector('.cancel').onclick = function () {
    answerDevice(msg.seq, null);
  };
  var args = msg.args || {};
  var answer;
  switch (msg.request) {
    case 'scanCode': {
      title.textContent = 'Scan a code';
      var text = field(body, 'The code says', 'text', '');
      answer = function () {
        return { result: text.value, scanType: 'QR_CODE' };
      };
      setTimeout(function () {
        text.focus();
      }, 0);
      break;
    }
    case 'chooseLocation': {
      title.textContent = 'Choose a location';
      var lat = field(body, 'Latitude', 'number', args.latitude);
      var lng = field(body, 'Longitude', 'number', args.longitude);
      var name = field(body, 'Name', 'text', '');
      var address = field(body, 'Address', 'text', '');
      answer = function () {
        return { latitude: Number(lat.value), longitude: Number(lng.value), name: name.value, address: address.value };
      };
      break;
    }
    case 'makePhoneCall': {
      title.textContent = 'Call';
      body.textContent = 'Call ' + args.phoneNumber + '?';
      confirm.textContent = 'Call';
      answer = function () {
        return { call: true };
      };
      break;
    }
    case 'chooseImage':
    case 'chooseMedia': {
      title.textContent = msg.request === 'chooseImage' ? 'Choose images' : 'Choose media';
      var picker = field(body, 'Up to ' + (args.count || 9), 'file');
      picker.accept = args.accept || 'image/*';
      picker.multiple = (args.count || 9) > 1;
      answer = function () {
        var chosen = Array.prototype.slice.call(picker.files || [], 0, args.count || 9);
        return Promise.all(
          chosen.map(function (f) {
            return f.arrayBuffer().then(function (b) {
              return { name: f.name, data: { __capsuleBytes: base64Of(b) } };
            });
          }),
        ).then(function (files) {
          return files.length ? { files: files } : null;
        });
      };
      break;
    }
    default:
      answerDevice(msg.seq, null);
      return;
  }
  // A file that cannot be read counts as no choice.
  confirm.onclick = function () {
    Promise.resolve()
      .then(answer)
      .then(
        function (a) {
          answerDevice(msg.seq, a);
        },
        function () {
          answerDevice(msg.seq, null);
        },
      );
  };
  deviceEl.className = 'show';
}
// The simulator's own control: where the device is (what getLocation reports).
document.getElementById('capsule-set-location').addEventListener('click', function () {
  hostFetch('/capsule-location')
    .then(function (r) {
      return r.ok ? r.json() : { latitude: 0, longitude: 0 };
    })
    .then(function (now) {
      var body = deviceEl.querySelector('.body');
      body.innerHTML = '';
      deviceEl.querySelector('.title').textContent = 'Device location';
      deviceEl.querySelector('.confirm').textContent = 'Set';
      var lat = field(body, 'Latitude', 'number', now.latitude);
      var lng = field(body, 'Longitude', 'number', now.longitude);
      deviceEl.querySelector('.cancel').onclick = function () {
        deviceEl.className = '';
      };
      deviceEl.querySelector('.confirm').onclick = function () {
        deviceEl.className = '';
        answerHost('/capsule-location', { latitude: Number(lat.value), longitude: Number(lng.value) });
      };
      deviceEl.className = 'show';
    });
});
var vibrateTimer = null;
export function vibrate(ms) {
  var phone = document.getElementById('capsule-phone');
  phone.classList.add('vibrating');
  clearTimeout(vibrateTimer);
  vibrateTimer = setTimeout(
    function () {
      phone.classList.remove('vibrating');
    },
    Math.max(15, Number(ms) || 15),
  );
}

// `deviceProfile`: the developer tools switched the device; the frame takes its size.
export function deviceProfile(msg) {
  var root = document.documentElement.style;
  root.setProperty('--device-width', msg.width + 'px');
  root.setProperty('--device-height', msg.height + 'px');
  root.setProperty('--status-height', msg.statusBar + 'px');
  root.setProperty('--safe-bottom', msg.safeBottom + 'px');
}
