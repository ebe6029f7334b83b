// Uploads from the desktop: one XHR per file to POST /write (real progress events), cancellable.
export interface UploadItem {
  id: number;
  name: string;
  size: number;
  loaded: number;
  state: "uploading" | "done" | "failed" | "cancelled";
  error?: string;
  cancel: () => void;
}

let nextId = 1;

/** Start uploading `file` into folder `dir`; `onChange` is called on every progress step. */
export function uploadFile(dir: string, file: File, onChange: (item: UploadItem) => void): UploadItem {
  const xhr = new XMLHttpRequest();
  const item: UploadItem = { id: nextId++, name: file.name, size: file.size, loaded: 0, state: "uploading", cancel: () => xhr.abort() };
  const form = new FormData();
  form.append("path", dir);
  form.append("name", file.name);
  form.append("size", String(file.size));
  form.append("dedupe_name", "true");
  form.append("file", file, file.name);
  xhr.upload.onprogress = (e) => {
    item.loaded = e.loaded;
    onChange(item);
  };
  xhr.onload = () => {
    if (xhr.status === 200) {
      item.state = "done";
      item.loaded = item.size;
    } else {
      item.state = "failed";
      try {
        item.error = JSON.parse(xhr.responseText).message;
      } catch {
        item.error = `HTTP ${xhr.status}`;
      }
    }
    onChange(item);
  };
  xhr.onerror = () => ((item.state = "failed"), (item.error = "The connection failed"), onChange(item));
  xhr.onabort = () => ((item.state = "cancelled"), onChange(item));
  xhr.open("POST", "/write");
  xhr.send(form);
  return item;
}
