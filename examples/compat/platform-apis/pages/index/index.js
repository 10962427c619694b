Page({
  data: { shop: '', button: '' },
  onLoad() {
    const ext = wx.getExtConfigSync();
    const rect = wx.getMenuButtonBoundingClientRect();
    this.setData({ shop: ext.shop, button: `${rect.width}x${rect.height}` });
    wx.showShareMenu({ menus: ['shareAppMessage', 'shareTimeline'] });
    this.selectComponent('#t').bump();
    const settings = wx.getSystemSetting();
    if (typeof settings.wifiEnabled !== 'boolean') throw new Error('getSystemSetting');
    if (wx.canIUse('startBluetoothDevicesDiscovery')) throw new Error('canIUse says yes to what fails');
  },
  onShareAppMessage() {
    return { title: this.data.shop, path: '/pages/index/index' };
  },
});
