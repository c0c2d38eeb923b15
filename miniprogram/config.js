// Where the mini-program finds the Youthline server: one address per version of the
// mini-program (WeChat's envVersion). Set yours before uploading (miniprogram/README.md).
//
// - develop: WeChat DevTools on your own machine, with "do not check the domain" ticked
//   (详情 → 本地设置 → 不校验合法域名): plain http/ws to a local `make run` is allowed there.
// - trial and release: https only, so the socket is wss. The domain must be registered in
//   the mini-program's admin (开发管理 → 开发设置 → 服务器域名) as a request domain and a
//   socket domain, with a real certificate and an ICP filing; WeChat refuses anything else.

"use strict";

const servers = {
  develop: "http://127.0.0.1:8000",
  trial: "https://youthline.example.cn",
  release: "https://youthline.example.cn",
};

/** The API base and the socket URL for a server address; trial and release must be https. */
function serverFor(envVersion, address) {
  const base = String(address || servers[envVersion] || servers.release).replace(/\/+$/, "");
  const secure = base.startsWith("https://");
  if (!secure && envVersion !== "develop") {
    throw new Error(`the ${envVersion} version must use https (wss): ${base}`);
  }
  return {
    envVersion,
    api: `${base}/api/v1`,
    socket: `${secure ? "wss" : "ws"}://${base.replace(/^https?:\/\//, "")}/ws/v1/`,
  };
}

/** The version this copy of the mini-program runs as (develop in DevTools, trial, release). */
function currentEnvVersion(wx) {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion || "release";
  } catch (error) {
    return "release";
  }
}

module.exports = { servers, serverFor, currentEnvVersion };
