// The example site's only script: it shows the server's autoindex listings
// (/files/ and /uploads/) in the site's look, deletes uploads (a second click
// confirms), and writes the page's own address where commands name it.
// The listing is the HTML that `autoindex on` writes: one <a href> per entry,
// its name percent-encoded, followed by the date and the size as text.
"use strict";

// [{name, href, dir, date, size}] of the listing at url (a directory URL).
async function readListing(url) {
    const response = await fetch(url, {cache: "no-store", headers: {Accept: "text/html"}});
    if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const entries = [];
    for (const link of page.querySelectorAll("a[href]")) {
        const href = link.getAttribute("href");
        if (href === "../" || href.startsWith("/") || href.startsWith("?") || /^[a-z]+:/i.test(href)) continue;
        const dir = href.endsWith("/");
        let name;
        try {
            name = decodeURIComponent(dir ? href.slice(0, -1) : href);
        } catch (e) {
            name = link.textContent.replace(/\/$/, ""); // not UTF-8 once decoded: show what the server shows
        }
        // "02-Dec-2026 09:48      1234" (or "-" for a directory) after the link.
        const rest = link.nextSibling && link.nextSibling.nodeType === Node.TEXT_NODE ? link.nextSibling.textContent : "";
        const info = rest.match(/(\d{2}-[A-Za-z]{3}-\d{4} \d{2}:\d{2})\s+(\S+)/);
        entries.push({name, href, dir, date: info ? info[1] : "", size: info ? info[2] : ""});
    }
    // Directories first, then by name.
    entries.sort((a, b) => (b.dir - a.dir) || a.name.localeCompare(b.name));
    return entries;
}

function formatSize(size) {
    const n = Number(size);
    if (size === "" || size === "-" || Number.isNaN(n)) return size === "-" ? "" : size;
    const round = (x) => (x < 10 && !Number.isInteger(x) ? x.toFixed(1) : Math.round(x).toString());
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${round(n / 1024)} KB`;
    return `${round(n / 1024 / 1024)} MB`;
}

function cell(row, text, className) {
    const td = row.insertCell();
    if (className) td.className = className;
    if (text instanceof Node) td.append(text); else td.textContent = text;
    return td;
}

function emptyRow(tbody, columns, text) {
    const td = tbody.insertRow().insertCell();
    td.colSpan = columns;
    td.className = "empty";
    td.textContent = text;
}

function link(href, text) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
}

// ---- /files.html: browse /files/ (the path below it is the #fragment) ----

async function showFiles() {
    const browser = document.getElementById("file-browser");
    const tbody = document.getElementById("file-list");
    const error = document.getElementById("file-error");
    const base = browser.dataset.listing; // "/files/"
    let sub = "";
    try { sub = decodeURIComponent(location.hash.slice(1)); } catch (e) { sub = ""; }
    if (sub && !sub.endsWith("/")) sub += "/";
    if (sub.split("/").includes("..")) sub = "";
    const encoded = sub.split("/").map(encodeURIComponent).join("/");
    const url = base + encoded;
    document.getElementById("raw-listing").href = url;
    document.getElementById("raw-listing").textContent = base + sub;

    const crumbs = document.getElementById("file-path");
    crumbs.replaceChildren(link("#", base));
    let so_far = "";
    for (const part of sub.split("/").filter(Boolean)) {
        so_far += part + "/";
        crumbs.append(link("#" + so_far.split("/").map(encodeURIComponent).join("/"), part + "/"));
    }

    error.textContent = "";
    try {
        const entries = await readListing(url);
        tbody.replaceChildren();
        if (sub) {
            const up = sub.split("/").filter(Boolean).slice(0, -1).join("/");
            const row = tbody.insertRow();
            cell(row, link("#" + (up ? up.split("/").map(encodeURIComponent).join("/") + "/" : ""), "../"), "name");
            cell(row, "", "num");
            cell(row, "", "date");
        }
        for (const entry of entries) {
            const row = tbody.insertRow();
            const target = entry.dir
                ? "#" + (sub + entry.name + "/").split("/").map(encodeURIComponent).join("/")
                : url + encodeURIComponent(entry.name);
            cell(row, link(target, entry.name + (entry.dir ? "/" : "")), "name");
            cell(row, entry.dir ? "" : formatSize(entry.size), "num");
            cell(row, entry.date, "date");
        }
        if (!entries.length) emptyRow(tbody, 3, "This directory is empty.");
    } catch (e) {
        tbody.replaceChildren();
        emptyRow(tbody, 3, "Could not read the listing.");
        error.textContent = e.message;
    }
}

// ---- /upload.html: the uploads, with a Delete button each ----

const UPLOADS = "/uploads/";
const PENDING = "webserv-upload-pending";

async function showUploads() {
    const tbody = document.getElementById("upload-list");
    let entries;
    try {
        entries = (await readListing(UPLOADS)).filter((entry) => !entry.dir);
    } catch (e) {
        tbody.replaceChildren();
        emptyRow(tbody, 4, "Could not read the list of uploads.");
        setStatus("error", e.message);
        return [];
    }
    // Just back from an upload (the server answered the form with 303 to this
    // page): mark what is new since the form was sent.
    let fresh = new Set();
    const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
    if (pending && Date.now() - pending.at < 10 * 60 * 1000) {
        const before = new Set(pending.names);
        fresh = new Set(entries.map((e) => e.name).filter((name) => !before.has(name)));
        if (fresh.size) setStatus("ok", `Uploaded: ${[...fresh].join(", ")}`);
    }
    sessionStorage.removeItem(PENDING);

    tbody.replaceChildren();
    for (const entry of entries) {
        const row = tbody.insertRow();
        row.dataset.name = entry.name;
        if (fresh.has(entry.name)) row.className = "new";
        const url = UPLOADS + encodeURIComponent(entry.name);
        cell(row, link(url, entry.name), "name");
        cell(row, formatSize(entry.size), "num");
        cell(row, entry.date, "date");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "danger";
        button.textContent = "Delete";
        button.setAttribute("aria-label", `Delete ${entry.name}`);
        button.addEventListener("click", () => confirmThenDelete(entry.name, button));
        cell(row, button, "num");
    }
    if (!entries.length) emptyRow(tbody, 4, "No uploads yet.");
    return entries;
}

// The first click asks (the button says so for a few seconds), the second deletes.
function confirmThenDelete(name, button) {
    if (button.dataset.confirm !== "yes") {
        button.dataset.confirm = "yes";
        button.textContent = "Delete? Click again";
        button.setAttribute("aria-label", `Really delete ${name}? Click again to delete it`);
        setTimeout(() => {
            if (!button.isConnected || button.disabled) return;
            delete button.dataset.confirm;
            button.textContent = "Delete";
            button.setAttribute("aria-label", `Delete ${name}`);
        }, 5000);
        return;
    }
    deleteUpload(name, button);
}

async function deleteUpload(name, button) {
    button.disabled = true;
    try {
        const response = await fetch(UPLOADS + encodeURIComponent(name), {method: "DELETE"});
        if (response.ok || response.status === 404) setStatus("ok", `Deleted: ${name}`);
        else setStatus("error", `Could not delete ${name}: ${response.status} ${response.statusText}`);
    } catch (e) {
        setStatus("error", `Could not delete ${name}: ${e.message}`);
    }
    await showUploads();
}

function setStatus(kind, text) {
    const status = document.getElementById("upload-status");
    status.className = "notice " + kind;
    status.textContent = text;
}

function setUpUploadForm() {
    const form = document.getElementById("upload-form");
    const input = document.getElementById("upload-files");
    form.addEventListener("submit", (event) => {
        const limit = Number(form.dataset.maxBytes);
        const total = [...input.files].reduce((sum, file) => sum + file.size, 0);
        if (limit && total > limit) {
            event.preventDefault();
            setStatus("error", `That is ${formatSize(total)}: the upload limit is ${formatSize(limit)}. ` +
                "Choose smaller files, or send them one at a time.");
            return;
        }
        // Remember what was there, to show what is new when the server sends us back here.
        const names = [...document.querySelectorAll("#upload-list tr[data-name]")].map((row) => row.dataset.name);
        sessionStorage.setItem(PENDING, JSON.stringify({names, at: Date.now()}));
    });
}

// Commands on the pages name the example's default address; this page's own is the one that works.
function showOwnAddress() {
    for (const element of document.querySelectorAll(".origin")) element.textContent = location.origin;
}

document.addEventListener("DOMContentLoaded", () => {
    showOwnAddress();
    if (document.getElementById("file-browser")) {
        window.addEventListener("hashchange", showFiles);
        showFiles();
    }
    if (document.getElementById("upload-form")) {
        setUpUploadForm();
        showUploads();
    }
});
