import { tokenCookie } from "../auth.js";

/**
 * A script for the GraphiQL page of a server that wants a token. The page itself is served without
 * one, and a browser cannot put a header on a WebSocket upgrade, so the token travels in the
 * `meshsync_token` cookie, which HTTP requests and the upgrade both carry. When this endpoint answers
 * 401, the page asks for the token once (however many requests were refused at the same time), keeps
 * it in that cookie for this address and tries the request again. The cookie is SameSite=Strict, so
 * no other site's page makes the browser send it, and it lasts as long as the browser session.
 *
 * Plain JavaScript in a string: it runs in the browser as written, not as compiled for Node.
 */
export const tokenPromptScript = `(function () {
  var cookieName = ${JSON.stringify(tokenCookie)};
  var endpoint = location.origin + location.pathname;
  var originalFetch = window.fetch.bind(window);
  var asking = null;
  function askForToken() {
    if (asking === null) {
      asking = Promise.resolve().then(function () {
        var given = window.prompt("This meshsync server wants its token (--token or MESHSYNC_TOKEN):");
        asking = null;
        if (given === null || given.trim() === "") return false;
        document.cookie = cookieName + "=" + encodeURIComponent(given.trim()) + "; Path=/; SameSite=Strict" +
          (location.protocol === "https:" ? "; Secure" : "");
        return true;
      });
    }
    return asking;
  }
  window.fetch = function (input, init) {
    var url = new URL(input instanceof Request ? input.url : String(input), location.href);
    var retry = input instanceof Request ? input.clone() : input;
    return originalFetch(input, init).then(function (response) {
      if (response.status !== 401 || url.origin + url.pathname !== endpoint) return response;
      return askForToken().then(function (given) {
        return given ? originalFetch(retry, init) : response;
      });
    });
  };
})();`;
