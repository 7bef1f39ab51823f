// microblog admin: editor helpers and build progress. Plain JS, no inline scripts (CSP).
"use strict";

(function () {
  const csrfToken = () => document.querySelector('meta[name="csrf-token"]').content;

  function postWithToken(url, body, headers) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: Object.assign({ "X-CSRFToken": csrfToken() }, headers || {}),
    });
  }

  // JSON from the app, or an error that says what to do (logged out, expired form...).
  async function readJson(response) {
    if (response.redirected && new URL(response.url).pathname.endsWith("/admin/login")) {
      throw new Error("you are logged out: log in again in another tab (your text is still here)");
    }
    if (!(response.headers.get("Content-Type") || "").includes("application/json")) {
      throw new Error(`the app answered ${response.status} ${response.statusText}; reload the page`);
    }
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  // A size in bytes as people read it: 8 MiB, 1.5 MiB, 512 KiB, 100 bytes.
  function formatSize(bytes) {
    const units = [["MiB", 1024 * 1024], ["KiB", 1024]];
    for (const [unit, size] of units) {
      if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
    }
    return `${bytes} bytes`;
  }

  // A URL-safe slug like the server's (the server has the last word).
  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 100).replace(/-+$/, "");
  }

  // Each part of the editor is set up on its own, from the elements it finds: a note has no
  // title nor slug, and one missing element must never disable the other features.
  function setupEditor(form) {
    const title = form.querySelector("#title");
    const slug = form.querySelector("#slug");
    const body = form.querySelector("#body");
    const frame = document.getElementById("preview");
    const previewState = document.getElementById("preview-state");
    const markDirty = setupLeaveWarning(form);
    setupSaveShortcut(form);
    const schedule = body && frame ? setupPreview(form, body, frame, previewState, title) : () => {};
    if (title) setupTitle(form, title, slug, frame);
    if (body) setupUpload(form, body, markDirty, schedule);
  }

  // Leaving the page with unsaved changes asks first; returns a way to mark the form changed.
  function setupLeaveWarning(form) {
    let dirty = false;
    const markDirty = () => { dirty = true; };
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    form.addEventListener("submit", () => { dirty = false; });
    window.addEventListener("beforeunload", (event) => {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
    return markDirty;
  }

  // Ctrl+S / Cmd+S saves.
  function setupSaveShortcut(form) {
    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
        event.preventDefault();
        form.requestSubmit(form.querySelector("#save"));
      }
    });
  }

  // The title fills the slug (on a new post, until the slug is typed in) and the preview heading.
  function setupTitle(form, title, slug, frame) {
    let autoSlug = Boolean(slug) && form.dataset.autoSlug === "true" && !slug.value;
    // A title typed (or restored by the browser) before this script ran gets its slug too.
    if (autoSlug && title.value) slug.value = slugify(title.value);
    if (slug) slug.addEventListener("input", () => { autoSlug = slug.value === ""; });
    title.addEventListener("input", () => {
      if (autoSlug) slug.value = slugify(title.value);
      const heading = frame && frame.contentDocument
        && frame.contentDocument.getElementById("preview-title");
      if (heading) heading.textContent = title.value;
    });
  }

  // Live preview: the server renders with the same function as a save. Returns a function that
  // schedules a refresh.
  function setupPreview(form, body, frame, previewState, title) {
    const say = (text) => { if (previewState) previewState.textContent = text; };
    let timer = null;
    let sequence = 0;
    async function refresh() {
      const doc = frame.contentDocument;
      const target = doc && doc.getElementById("preview-body");
      if (!target) return;
      const mine = ++sequence;
      say("Rendering preview…");
      try {
        const response = await postWithToken(
          form.dataset.previewUrl, JSON.stringify({ body: body.value }),
          { "Content-Type": "application/json" });
        const data = await readJson(response);
        if (mine !== sequence) return;
        target.innerHTML = data.html;
        const heading = doc.getElementById("preview-title");
        if (heading && title) heading.textContent = title.value;
        const warnings = (data.warnings || []).join(" ");
        say(`Preview up to date (${data.words} words).`
          + (warnings ? ` Readers will not see everything: ${warnings}` : ""));
        if (previewState) previewState.classList.toggle("warning", Boolean(warnings));
        frame.dataset.rendered = String(mine);
      } catch (error) {
        say(`Preview failed: ${error.message}. Your text is safe.`);
      }
    }
    const schedule = () => { clearTimeout(timer); timer = setTimeout(refresh, 300); };
    body.addEventListener("input", schedule);
    if (frame.contentDocument && frame.contentDocument.readyState === "complete"
        && frame.contentDocument.getElementById("preview-body")) {
      refresh();
    }
    frame.addEventListener("load", refresh);
    return schedule;
  }

  // Image upload: stored in content/media/, Markdown inserted at the cursor.
  function setupUpload(form, body, markDirty, schedule) {
    const uploadButton = document.getElementById("upload-button");
    const fileInput = document.getElementById("upload-file");
    const altInput = document.getElementById("upload-alt");
    const uploadState = document.getElementById("upload-state");
    if (!uploadButton || !fileInput || !altInput || !uploadState) return;
    uploadButton.addEventListener("click", async () => {
      const file = fileInput.files[0];
      const alt = altInput.value.trim();
      if (!file) { uploadState.textContent = "Choose an image first."; return; }
      if (!alt) { uploadState.textContent = "Describe the image in the alt text first."; return; }
      const data = new FormData();
      data.append("file", file);
      data.append("alt", alt);
      uploadState.textContent = "Uploading…";
      try {
        const response = await postWithToken(form.dataset.uploadUrl, data);
        const limit = Number(form.dataset.maxUploadBytes);
        if (response.status === 413 && limit
            && !(response.headers.get("Content-Type") || "").includes("application/json")) {
          // Refused before the app read it (its own 413 answers in JSON, with the reason).
          throw new Error(`the file is too large (the limit is ${formatSize(limit)}); `
            + "choose a smaller image");
        }
        const result = await readJson(response);
        const start = body.selectionStart, end = body.selectionEnd;
        body.setRangeText(result.markdown, start, end, "end");
        body.focus();
        markDirty();
        schedule();
        uploadState.textContent = `Inserted ${result.url}.`;
      } catch (error) {
        uploadState.textContent = `Upload failed: ${error.message}`;
      }
    });
  }

  function setupBuild(section) {
    const url = section.dataset.url;
    const show = (id, text) => { document.getElementById(id).textContent = text; };
    async function poll() {
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        const job = await readJson(response);
        const state = document.getElementById("build-state");
        state.textContent = job.state;
        state.className = `state state-${job.state}`;
        section.dataset.state = job.state;
        show("build-pages", job.pages === null ? "–" : String(job.pages));
        show("build-seconds", job.seconds === null ? "–" : `${job.seconds.toFixed(2)} s`);
        if (job.summary) show("build-summary", job.summary);
        else if (job.done) show("build-summary", document.getElementById("build-summary").dataset.failed);
        const list = document.getElementById("build-errors");
        list.replaceChildren(...job.errors.map((text) => {
          const item = document.createElement("li");
          item.textContent = text;
          return item;
        }));
        if (!job.done) setTimeout(poll, 500);
        else if (job.state === "succeeded") show("build-summary", job.summary);
      } catch (error) {
        show("build-summary", `Lost contact with the app (${error.message}); reload the page.`);
      }
    }
    if (section.dataset.state !== "succeeded" && section.dataset.state !== "failed") poll();
  }

  // The compose box: a live count of characters against NOTE_LENGTH (a guide, never a limit).
  function setupCompose(textarea) {
    const limit = Number(textarea.dataset.noteLength);
    const counter = document.getElementById("compose-count");
    const output = counter.querySelector("output");
    const update = () => {
      const length = Array.from(textarea.value.trim()).length;
      output.textContent = String(length);
      counter.classList.toggle("over", length > limit);
    };
    textarea.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const compose = document.getElementById("compose-body");
    if (compose) setupCompose(compose);
    const form = document.getElementById("editor");
    if (form) setupEditor(form);
    const build = document.getElementById("build-status");
    if (build) setupBuild(build);
  });
})();
