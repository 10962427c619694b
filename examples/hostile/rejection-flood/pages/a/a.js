Page({ onLoad() { for (;;) Promise.reject(new Error('flood')) } })
