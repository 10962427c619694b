//! The device APIs: location, clipboard, phone calls, vibration, the screen, scanning codes,
//! choosing and saving images, the battery and the motion sensors.
//!
//! What needs a person or hardware goes to the host's [`Prompter`](crate::Prompter) (the
//! simulator shows a sheet; a headless host answers as it was configured, or not at all,
//! which is a cancel). Those calls wait on their own thread, never on the bridge's.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::files::AppFiles;
use crate::{Api, App, Bridge, Call, Reply, Type, optional, required};

/// Where the simulated device is, and how it is held.
#[derive(Clone, Debug, PartialEq)]
pub struct Sensors {
    pub latitude: f64,
    pub longitude: f64,
    /// Metres.
    pub altitude: f64,
    /// Acceleration in g along x, y, z: lying flat on a table is (0, 0, -1).
    pub acceleration: [f64; 3],
    /// Degrees from north.
    pub direction: f64,
    /// Battery level, percent.
    pub battery: u8,
    pub charging: bool,
}

impl Default for Sensors {
    fn default() -> Sensors {
        // Tiananmen Square, as a fixed starting point; the simulator can move it.
        Sensors {
            latitude: 39.9087,
            longitude: 116.3975,
            altitude: 44.0,
            acceleration: [0.0, 0.0, -1.0],
            direction: 0.0,
            battery: 100,
            charging: true,
        }
    }
}

/// The simulated device's state, shared with whoever may change it (the simulator).
#[derive(Clone, Default)]
pub struct DeviceState {
    pub sensors: Arc<Mutex<Sensors>>,
    clipboard: Arc<Mutex<String>>,
    keep_screen_on: Arc<Mutex<bool>>,
    /// The device profile the host switched to, over the one it started with.
    profile: Arc<Mutex<Option<crate::Device>>>,
    /// The system theme the host shows, dark or not (the simulator's switch).
    dark: Arc<Mutex<bool>>,
}

impl DeviceState {
    pub fn sensors(&self) -> Sensors {
        self.sensors.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_sensors(&self, s: Sensors) {
        *self.sensors.lock().unwrap_or_else(|p| p.into_inner()) = s;
    }

    /// Switches the device the system-info APIs describe (the simulator's device menu).
    pub fn set_profile(&self, device: crate::Device) {
        *self.profile.lock().unwrap_or_else(|p| p.into_inner()) = Some(device);
    }

    /// Switches the system theme the system-info APIs report (to an app with `darkmode`).
    pub fn set_dark(&self, dark: bool) {
        *self.dark.lock().unwrap_or_else(|p| p.into_inner()) = dark;
    }

    pub fn is_dark(&self) -> bool {
        *self.dark.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn keeps_screen_on(&self) -> bool {
        *self.keep_screen_on.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A location API must be listed in `requiredPrivateInfos`, as on the platform.
fn declared(app: &App, api: &str) -> Result<(), String> {
    if app.private_infos.iter().any(|p| p == api) {
        Ok(())
    } else {
        Err("the api need to be declared in the requiredPrivateInfos field in app.json/ext.json".into())
    }
}

/// Runs a request that waits on a person, on a thread of its own; `finish` turns the answer
/// (or `None`: nobody answered, or they cancelled) into the call's result. A few requests
/// may wait on the person per app ([`crate::MAX_WAITING_ON_PERSON`], with the prompts);
/// past that they fail rather than pile up.
fn ask_person(
    c: &Call<'_>,
    reply: Reply,
    request: &'static str,
    args: Value,
    finish: impl FnOnce(Option<Value>) -> Result<Value, String> + Send + 'static,
) {
    let Some(prompter) = c.bridge.options.prompter.clone() else { return reply.fail("cancel") };
    let slot = match c.bridge.person_slot(&c.app.id) {
        Ok(slot) => slot,
        Err(e) => return reply.fail(&e),
    };
    let app = c.app.clone();
    let reply = Arc::new(Mutex::new(Some(reply)));
    let kept = reply.clone();
    let spawned = std::thread::Builder::new().name("capsule-device".into()).spawn(move || {
        let answer = prompter.device(&app, request, &args);
        drop(slot);
        if let Some(reply) = kept.lock().unwrap_or_else(|p| p.into_inner()).take() {
            reply.finish(finish(answer));
        }
    });
    if let Err(e) = spawned
        && let Some(reply) = reply.lock().unwrap_or_else(|p| p.into_inner()).take()
    {
        reply.fail(&format!("cannot wait for an answer: {e}"));
    }
}

/// Image dimensions and type from the first bytes of a PNG, GIF, JPEG or WebP file.
pub use capsule_package::image::size as image_size;

/// Saves the files a person chose (`[{name, data: {__capsuleBytes}}]`) as temporary files.
fn save_chosen(bridge_files: AppFiles, answer: Option<Value>) -> Result<Vec<(String, u64, String)>, String> {
    let files = answer.and_then(|a| a.get("files").and_then(Value::as_array).cloned()).ok_or("cancel")?;
    if files.is_empty() {
        return Err("cancel".into());
    }
    let mut out = Vec::new();
    for f in files {
        let name = f.get("name").and_then(Value::as_str).unwrap_or("image").to_string();
        let bytes =
            f.get("data").and_then(crate::files::bytes_of).ok_or("the chosen file could not be read")?;
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e).to_string();
        let (path, real) = bridge_files.temp_path(&ext)?;
        bridge_files.write_new(&real, &bytes)?;
        let kind = if image_size(&bytes).is_some() { "image" } else { "video" };
        out.push((path, bytes.len() as u64, kind.to_string()));
    }
    Ok(out)
}

pub(crate) fn apis() -> Vec<Api> {
    use Type::*;
    vec![
        Api::new("getLocation", vec![optional("type", String), optional("altitude", Boolean)], |c| {
            declared(c.app, "getLocation")?;
            let s = c.bridge.options.device_state.sensors();
            Ok(json!({"latitude": s.latitude, "longitude": s.longitude, "speed": 0, "accuracy": 65,
                      "altitude": s.altitude, "verticalAccuracy": 65, "horizontalAccuracy": 65}))
        })
        .needs("scope.userLocation"),
        Api::deferred("chooseLocation", vec![optional("latitude", Number), optional("longitude", Number)], |c, reply| {
            if let Err(e) = declared(c.app, "chooseLocation") {
                return reply.fail(&e);
            }
            let s = c.bridge.options.device_state.sensors();
            let start = json!({"latitude": c.args.get("latitude").and_then(Value::as_f64).unwrap_or(s.latitude),
                               "longitude": c.args.get("longitude").and_then(Value::as_f64).unwrap_or(s.longitude)});
            ask_person(c, reply, "chooseLocation", start, |answer| {
                let a = answer.ok_or("cancel")?;
                let num = |k: &str| a.get(k).and_then(Value::as_f64).ok_or("cancel");
                let text = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                Ok(json!({"name": text("name"), "address": text("address"), "latitude": num("latitude")?, "longitude": num("longitude")?}))
            });
        })
        .needs("scope.userLocation"),
        Api::new("setClipboardData", vec![required("data", String)], |c| {
            *c.bridge.options.device_state.clipboard.lock().unwrap_or_else(|p| p.into_inner()) = c.str("data").to_string();
            // The platform tells the person the text was copied.
            if let Some(p) = &c.bridge.options.prompter {
                p.notify(c.app, "toast", &json!({"title": "内容已复制"}));
            }
            Ok(json!({}))
        }),
        Api::new("getClipboardData", vec![], |c| {
            Ok(json!({"data": c.bridge.options.device_state.clipboard.lock().unwrap_or_else(|p| p.into_inner()).clone()}))
        }),
        Api::deferred("makePhoneCall", vec![required("phoneNumber", String)], |c, reply| {
            let number = c.str("phoneNumber").to_string();
            if number.is_empty() || !number.chars().all(|ch| ch.is_ascii_digit() || "+-() #*".contains(ch)) {
                return reply.fail("invalid phoneNumber");
            }
            ask_person(c, reply, "makePhoneCall", json!({"phoneNumber": number}), |answer| match answer {
                Some(a) if a.get("call").and_then(Value::as_bool) == Some(true) => Ok(json!({})),
                _ => Err("cancel".into()),
            });
        }),
        Api::new("vibrateShort", vec![optional("type", String)], |c| {
            let kind = c.args.get("type").and_then(Value::as_str).unwrap_or("medium");
            if !["heavy", "medium", "light"].contains(&kind) {
                return Err(format!("parameter error: type should be one of heavy, medium, light, got {kind}"));
            }
            if let Some(p) = &c.bridge.options.prompter {
                p.notify(c.app, "vibrate", &json!({"duration": 15, "type": kind}));
            }
            Ok(json!({}))
        }),
        Api::new("vibrateLong", vec![], |c| {
            if let Some(p) = &c.bridge.options.prompter {
                p.notify(c.app, "vibrate", &json!({"duration": 400}));
            }
            Ok(json!({}))
        }),
        Api::new("setKeepScreenOn", vec![required("keepScreenOn", Boolean)], |c| {
            let on = c.args.get("keepScreenOn").and_then(Value::as_bool).unwrap_or(false);
            *c.bridge.options.device_state.keep_screen_on.lock().unwrap_or_else(|p| p.into_inner()) = on;
            Ok(json!({}))
        }),
        Api::deferred("scanCode", vec![optional("onlyFromCamera", Boolean), optional("scanType", Array)], |c, reply| {
            ask_person(c, reply, "scanCode", json!({}), |answer| {
                let a = answer.ok_or("cancel")?;
                let result = a.get("result").and_then(Value::as_str).ok_or("cancel")?;
                let scan_type = a.get("scanType").and_then(Value::as_str).unwrap_or("QR_CODE");
                Ok(json!({"result": result, "scanType": scan_type, "charSet": "utf-8", "path": "", "rawData": ""}))
            });
        }),
        Api::deferred("chooseImage", vec![optional("count", Number), optional("sizeType", Array), optional("sourceType", Array)], |c, reply| {
            let count = c.args.get("count").and_then(Value::as_u64).unwrap_or(9).clamp(1, 9);
            let files = AppFiles::of(c.bridge, c.app);
            ask_person(c, reply, "chooseImage", json!({"count": count, "accept": "image/*"}), move |answer| {
                let saved = save_chosen(files, answer)?;
                let saved: Vec<_> = saved.into_iter().take(count as usize).collect();
                Ok(json!({
                    "tempFilePaths": saved.iter().map(|(p, _, _)| p).collect::<Vec<_>>(),
                    "tempFiles": saved.iter().map(|(p, size, _)| json!({"path": p, "size": size})).collect::<Vec<_>>(),
                }))
            });
        }),
        Api::deferred("chooseMedia", vec![optional("count", Number), optional("mediaType", Array), optional("sourceType", Array)], |c, reply| {
            let count = c.args.get("count").and_then(Value::as_u64).unwrap_or(9).clamp(1, 9);
            let types: Vec<std::string::String> = c.args.get("mediaType").and_then(Value::as_array).map_or_else(
                || vec!["image".into(), "video".into()],
                |a| a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            );
            let accept = match (types.iter().any(|t| t == "image" || t == "mix"), types.iter().any(|t| t == "video" || t == "mix")) {
                (true, false) => "image/*",
                (false, true) => "video/*",
                _ => "image/*,video/*",
            };
            let files = AppFiles::of(c.bridge, c.app);
            ask_person(c, reply, "chooseMedia", json!({"count": count, "accept": accept}), move |answer| {
                let saved = save_chosen(files, answer)?;
                let saved: Vec<_> = saved.into_iter().take(count as usize).collect();
                let kind = if saved.iter().all(|(_, _, k)| k == "image") { "image" } else if saved.iter().all(|(_, _, k)| k == "video") { "video" } else { "mix" };
                Ok(json!({
                    "type": kind,
                    "tempFiles": saved.iter().map(|(p, size, k)| json!({"tempFilePath": p, "size": size, "fileType": k})).collect::<Vec<_>>(),
                }))
            });
        }),
        Api::new("getImageInfo", vec![required("src", String)], |c| {
            let src = c.str("src");
            let real = AppFiles::of(c.bridge, c.app).resolve(src, "open").map_err(|_| format!("file not found: {src}"))?;
            let bytes = std::fs::read(&real).map_err(|_| format!("file not found: {src}"))?;
            let (width, height, kind) = image_size(&bytes).ok_or("the file is not an image")?;
            Ok(json!({"width": width, "height": height, "path": src, "orientation": "up", "type": kind}))
        })
        .heavy(),
        Api::new("saveImageToPhotosAlbum", vec![required("filePath", String)], |c| {
            let path = c.str("filePath");
            let real = AppFiles::of(c.bridge, c.app).resolve(path, "open")?;
            let bytes = std::fs::read(&real).map_err(|_| format!("file not found: {path}"))?;
            image_size(&bytes).ok_or("invalid file type")?;
            // The simulated device's album: a folder beside the apps' data.
            let album = c.bridge.options.data_dir.join("album");
            std::fs::create_dir_all(&album).map_err(|e| format!("cannot save the image: {e}"))?;
            let name = format!("{:016x}-{}", crate::files::random_u64(), path.rsplit('/').next().unwrap_or("image"));
            std::fs::write(album.join(name), bytes).map_err(|e| format!("cannot save the image: {e}"))?;
            Ok(json!({}))
        })
        .needs("scope.writePhotosAlbum")
        .heavy(),
        Api::new("getBatteryInfo", vec![], |c| {
            let s = c.bridge.options.device_state.sensors();
            Ok(json!({"level": s.battery, "isCharging": s.charging}))
        })
        .with_sync(&[], None),
        // What the motion sensors read now; the script samples it at the interval asked.
        Api::new("device.sensors", vec![], |c| {
            let s = c.bridge.options.device_state.sensors();
            Ok(json!({"x": s.acceleration[0], "y": s.acceleration[1], "z": s.acceleration[2],
                      "direction": s.direction, "accuracy": 3}))
        })
        .in_group("device")
        .with_sync(&[], None),
    ]
}

impl Bridge {
    /// The device the system-info APIs describe now.
    pub fn device(&self) -> crate::Device {
        let switched = self.options.device_state.profile.lock().unwrap_or_else(|p| p.into_inner()).clone();
        switched.unwrap_or_else(|| self.options.device.clone())
    }

    /// The simulated device's state (the simulator moves its position).
    pub fn device_state(&self) -> &DeviceState {
        &self.options.device_state
    }
}

/// A host without a person (`capsule exec`): device requests are answered as configured —
/// these files are chosen, this text is scanned — and anything else is a cancel.
#[derive(Default)]
pub struct Headless {
    pub files: Vec<std::path::PathBuf>,
    pub scan: Option<String>,
}

impl crate::Prompter for Headless {
    fn ask(&self, _: &App, _: &str, _: &str) -> Option<crate::Answer> {
        None
    }

    fn device(&self, _: &App, request: &str, args: &Value) -> Option<Value> {
        match request {
            "scanCode" => self.scan.as_ref().map(|s| json!({"result": s})),
            "chooseImage" | "chooseMedia" if !self.files.is_empty() => {
                let count = args.get("count").and_then(Value::as_u64).unwrap_or(9) as usize;
                let files: Vec<Value> = self
                    .files
                    .iter()
                    .take(count)
                    .filter_map(|p| {
                        let bytes = std::fs::read(p).ok()?;
                        let name = p.file_name()?.to_string_lossy().into_owned();
                        Some(json!({"name": name, "data": crate::files::bytes_value(&bytes)}))
                    })
                    .collect();
                Some(json!({"files": files}))
            }
            _ => None,
        }
    }
}
