#include "web/docs_page.hpp"

namespace ld::web {

std::string_view docs_page_html() {
  static constexpr std::string_view kPage = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API docs</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 small { color: #777; font-weight: normal; font-size: 0.6em; }
details { border: 1px solid #ddd; border-radius: 6px; margin: 0.5em 0; }
summary { padding: 0.6em; cursor: pointer; }
.m { display: inline-block; min-width: 4.5em; text-align: center; border-radius: 4px; color: #fff;
     font-weight: bold; font-size: 0.85em; padding: 0.15em 0.4em; margin-right: 0.6em; }
.get { background: #2b7bb9; } .post { background: #3c9a4a; } .put { background: #c77d16; }
.delete { background: #c0392b; } .patch { background: #7d3cb5; }
.op { padding: 0 1em 1em; } table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: 0.3em; border-bottom: 1px solid #eee; vertical-align: top; }
input, textarea { width: 100%; box-sizing: border-box; font-family: monospace; }
pre { background: #f6f6f6; padding: 0.6em; overflow: auto; max-height: 30em; }
.tag { margin-top: 1.5em; border-bottom: 2px solid #333; }
</style>
</head>
<body>
<h1 id="title">API docs</h1>
<p id="description"></p>
<p id="auth"></p>
<div id="ops">Loading openapi.json…</div>
<script>
"use strict";
const el = (tag, attrs, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
};
let keyHeader = null;
function render(spec) {
  const title = document.getElementById("title");
  title.textContent = spec.info.title + " ";
  title.append(el("small", {}, spec.info.version));
  document.title = spec.info.title + " docs";
  document.getElementById("description").textContent = spec.info.description || "";
  const scheme = ((spec.components || {}).securitySchemes || {}).APIKeyHeader;
  if (scheme) {
    keyHeader = scheme.name;
    const auth = document.getElementById("auth");
    auth.append("API key (header " + scheme.name + "): ",
                el("input", {id: "apikey", type: "password", style: "width: 20em"}),
                " or ", el("a", {href: "auth/set-cookie-form"}, "set it as a cookie"));
  }
  const ops = document.getElementById("ops");
  ops.textContent = "";
  const byTag = new Map();
  for (const [path, item] of Object.entries(spec.paths || {}))
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags || ["default"])[0];
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push([path, method, op]);
    }
  for (const [tag, list] of byTag) {
    ops.append(el("h2", {class: "tag"}, tag));
    for (const [path, method, op] of list) ops.append(operation(path, method, op));
  }
}
function operation(path, method, op) {
  const body = el("div", {class: "op"});
  if (op.description) body.append(el("p", {}, op.description));
  const inputs = [];
  const params = op.parameters || [];
  if (params.length) {
    const table = el("table", {}, el("tr", {}, el("th", {}, "name"), el("th", {}, "in"),
                     el("th", {}, "type"), el("th", {}, "description"), el("th", {}, "value")));
    for (const p of params) {
      const s = p.schema || {};
      const input = el("input", {placeholder: s.default === undefined ? "" : String(s.default)});
      inputs.push([p, input]);
      table.append(el("tr", {}, el("td", {}, p.name + (p.required ? " *" : "")), el("td", {}, p.in),
                      el("td", {}, s.type || ""), el("td", {}, p.description || ""),
                      el("td", {}, input)));
    }
    body.append(table);
  }
  let bodyInput = null;
  if (op.requestBody) {
    const schema = op.requestBody.content["application/json"].schema;
    body.append(el("p", {}, "JSON body" + (op.requestBody.required ? " *" : "") + ":"),
                el("pre", {}, JSON.stringify(schema, null, 2)));
    bodyInput = el("textarea", {rows: 6});
    body.append(bodyInput);
  }
  const out = el("pre", {hidden: ""});
  const button = el("button", {}, "Try it");
  button.onclick = async () => {
    let url = path.replace(/^\//, "");
    const query = new URLSearchParams();
    for (const [p, input] of inputs) {
      if (input.value === "") continue;
      if (p.in === "path") url = url.replace("{" + p.name + "}", encodeURIComponent(input.value));
      else query.append(p.name, input.value);
    }
    const headers = {};
    const key = document.getElementById("apikey");
    if (keyHeader && key && key.value) headers[keyHeader] = key.value;
    const init = {method: method.toUpperCase(), headers, credentials: "same-origin"};
    if (bodyInput && bodyInput.value) {
      headers["Content-Type"] = "application/json";
      init.body = bodyInput.value;
    }
    const qs = query.toString();
    out.hidden = false;
    out.textContent = "…";
    try {
      const res = await fetch(url + (qs ? "?" + qs : ""), init);
      out.textContent = res.status + " " + res.statusText + "\n\n" + await res.text();
    } catch (e) {
      out.textContent = String(e);
    }
  };
  body.append(button, out);
  return el("details", {}, el("summary", {}, el("span", {class: "m " + method}, method.toUpperCase()),
                              el("code", {}, path), " ", op.summary || ""), body);
}
fetch("openapi.json", {credentials: "same-origin"})
  .then(r => { if (!r.ok) throw new Error("openapi.json: HTTP " + r.status); return r.json(); })
  .then(render)
  .catch(e => { document.getElementById("ops").textContent = String(e); });
</script>
</body>
</html>
)HTML";
  return kPage;
}

std::string_view set_cookie_form_html() {
  static constexpr std::string_view kPage = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Auth Cookie Editor</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 600px; margin: 50px auto; padding: 20px; }
input { width: 100%; padding: 10px; margin: 10px 0; box-sizing: border-box; }
button { background: #4caf50; color: #fff; padding: 10px 20px; border: none; cursor: pointer; }
button:disabled { background: #ccc; }
.success { background: #d4edda; color: #155724; padding: 10px; }
.error { background: #f8d7da; color: #721c24; padding: 10px; }
</style>
</head>
<body>
<h1>Auth Cookie Editor</h1>
<p>The API key is kept in an HttpOnly cookie for this site; <a href="../docs">back to the docs</a>.</p>
<div id="message"></div>
<form id="cookieForm">
<label for="cookie_value">API key:</label>
<input type="password" id="cookie_value" name="cookie_value" autocomplete="off">
<button type="submit" id="submitBtn">Set Cookie</button>
</form>
<script>
"use strict";
const form = document.getElementById("cookieForm");
const message = document.getElementById("message");
const button = document.getElementById("submitBtn");
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  button.disabled = true;
  try {
    const res = await fetch("set-auth-cookie", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({cookie_value: document.getElementById("cookie_value").value})
    });
    const text = await res.text();
    if (!res.ok) throw new Error(text || "HTTP " + res.status);
    message.className = "success";
    message.textContent = JSON.parse(text).message || "Cookie set successfully";
  } catch (err) {
    message.className = "error";
    message.textContent = "Error: " + err.message;
  } finally {
    button.disabled = false;
  }
});
</script>
</body>
</html>
)HTML";
  return kPage;
}

}  // namespace ld::web
