//! The device profiles the simulator shows (`--device`, the developer tools' device panel):
//! the phone frame's size and safe areas, and what the bridge's system-info APIs report.

/// A device the simulator shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Device {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
    pub status_bar: u32,
    pub safe_bottom: u32,
}

/// The devices `--device` accepts.
pub const DEVICES: &[Device] = &[
    Device { name: "iphone-se", width: 375, height: 667, status_bar: 20, safe_bottom: 0 },
    Device { name: "iphone-15", width: 393, height: 852, status_bar: 47, safe_bottom: 34 },
    Device { name: "iphone-15-pro-max", width: 430, height: 932, status_bar: 47, safe_bottom: 34 },
    Device { name: "pixel-7", width: 412, height: 915, status_bar: 24, safe_bottom: 0 },
    Device { name: "galaxy-s20", width: 360, height: 800, status_bar: 24, safe_bottom: 0 },
];

pub fn device(name: &str) -> Option<Device> {
    DEVICES.iter().copied().find(|d| d.name == name)
}

/// What the bridge's system-info APIs say of a device profile.
pub fn bridge_device(device: &Device) -> capsule_bridge::Device {
    capsule_bridge::Device {
        model: device.name.to_string(),
        width: device.width,
        height: device.height,
        status_bar: device.status_bar,
        safe_bottom: device.safe_bottom,
        pixel_ratio: if device.width <= 375 { 2.0 } else { 3.0 },
        ..capsule_bridge::Device::default()
    }
}
