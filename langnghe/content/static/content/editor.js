// The post editor: EasyMDE over the plain Markdown textarea (the page works without it). Its
// preview, and the page's "Xem trước" button, ask the server (/staff/content/preview/), which
// renders with the same function as publishing; images go to /staff/content/images/ (checked,
// stripped of metadata, random name) and come back as Markdown. Nothing is loaded from outside:
// no icon font, no spell-check dictionary. Loaded as a file: the CSP forbids inline scripts.
(() => {
  const textarea = document.querySelector("textarea[data-markdown-editor]");
  if (!textarea) return;
  const form = textarea.form;
  const csrf = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
  const FAILED = "Không tạo được bản xem trước. Hãy bấm “Xem trước” để tải lại trang.";

  async function post(url, body) {
    body.append("csrfmiddlewaretoken", csrf);
    const response = await fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
    });
    let data = {};
    try { data = await response.json(); } catch { /* not JSON: a proxy's error page */ }
    if (!response.ok) throw new Error(data.error || FAILED);
    return data;
  }

  async function rendered(text) {
    const body = new FormData();
    body.append("body", text);
    return (await post("/staff/content/preview/", body)).html;
  }

  let editor = null;
  if (typeof EasyMDE !== "undefined") {
    const button = (name, action, text, title) => ({ name, action, text, title, className: `md-${name}` });
    editor = new EasyMDE({
      element: textarea,
      forceSync: true,
      spellChecker: false,
      nativeSpellcheck: true,
      autoDownloadFontAwesome: false,
      status: false,
      minHeight: "16rem",
      toolbar: [
        button("bold", EasyMDE.toggleBold, "B", "In đậm (Ctrl+B)"),
        button("italic", EasyMDE.toggleItalic, "I", "In nghiêng (Ctrl+I)"),
        button("heading-2", EasyMDE.toggleHeading2, "H2", "Tiêu đề mục"),
        button("heading-3", EasyMDE.toggleHeading3, "H3", "Tiêu đề mục nhỏ"),
        button("unordered-list", EasyMDE.toggleUnorderedList, "• Danh sách", "Danh sách gạch đầu dòng"),
        button("ordered-list", EasyMDE.toggleOrderedList, "1. Danh sách", "Danh sách đánh số"),
        button("quote", EasyMDE.toggleBlockquote, "❝ Trích dẫn", "Trích dẫn"),
        button("link", EasyMDE.drawLink, "Liên kết", "Chèn liên kết (Ctrl+K)"),
        button("upload-image", EasyMDE.drawUploadedImage, "Chèn ảnh", "Tải ảnh lên và chèn vào bài"),
        button("table", EasyMDE.drawTable, "Bảng", "Chèn bảng"),
        button("preview", EasyMDE.togglePreview, "Xem trước", "Xem trước như khi đăng"),
        button("side-by-side", EasyMDE.toggleSideBySide, "Hai cột", "Soạn và xem song song"),
      ],
      previewRender(text, preview) {
        rendered(text)
          .then((html) => { preview.innerHTML = html; })
          .catch((error) => { preview.textContent = error.message; });
        return preview.innerHTML || "Đang tạo bản xem trước…";
      },
      uploadImage: true,
      imageInputName: "editor_image", // not the form's own "image" field
      imageAccept: "image/png, image/jpeg, image/webp, image/gif",
      imageMaxSize: 5 * 1024 * 1024,
      imageUploadFunction(file, onSuccess, onError) {
        const body = new FormData();
        body.append("image", file);
        // The image's description (its alt text): the form's "Mô tả ảnh chèn" field, else asked
        // for now; a screen reader reads it in place of the image.
        const altField = form.querySelector('[name="image_alt"]');
        let alt = altField ? altField.value.trim() : "";
        if (!alt) alt = (window.prompt("Mô tả ngắn nội dung ảnh (đọc thay ảnh cho người khiếm thị):") || "").trim();
        body.append("alt", alt);
        // EasyMDE's file input sits inside the form: emptied, so that saving the post does not
        // send the same image again.
        const input = document.querySelector(".editor-toolbar input.imageInput");
        if (input) input.value = "";
        post("/staff/content/images/", body)
          .then((data) => {
            // The server writes the Markdown with the description made safe: "![…](#url#)".
            editor.options.insertTexts.uploadedImage = [data.markdown.replace(data.url, "#url#"), ""];
            if (altField) altField.value = "";
            onSuccess(data.url);
          })
          .catch((error) => onError(error.message));
      },
      imageTexts: {
        sbInit: "Kéo thả hoặc dán ảnh vào đây để chèn.",
        sbOnDragEnter: "Thả ảnh để tải lên.",
        sbOnDrop: "Đang tải ảnh #images_names#…",
        sbProgress: "Đang tải #file_name#: #progress#%",
        sbOnUploaded: "Đã tải ảnh #image_name#.",
        sizeUnits: " B, KB, MB",
      },
      errorMessages: {
        noFileGiven: "Hãy chọn một tệp ảnh.",
        typeNotAllowed: "Ảnh phải là JPEG, PNG, WebP hoặc GIF.",
        fileTooLarge: "Ảnh quá lớn: tối đa 5 MB.",
        importError: "Không tải được ảnh: #error#",
      },
      promptURLs: false,
      insertTexts: { uploadedImage: ["![](#url#)", ""] },
    });
    // CodeMirror types into its own hidden field: it gets the textarea's label and help.
    const field = editor.codemirror.getInputField();
    field.setAttribute("aria-label", "Nội dung bài viết (Markdown)");
    field.setAttribute("aria-describedby", "body-help");
    const bar = document.querySelector(".editor-toolbar");
    if (bar) bar.setAttribute("aria-label", "Định dạng nội dung");
  }

  // The page's own preview button: without JavaScript it posts the form (action=preview) and
  // the server shows the preview; here the same answer comes without leaving the page.
  const previewButton = form.querySelector('button[value="preview"]');
  const previewBox = document.getElementById("post-preview");
  if (previewButton && previewBox) {
    previewButton.addEventListener("click", async (event) => {
      event.preventDefault();
      const target = previewBox.querySelector(".content-body");
      previewBox.hidden = false;
      target.textContent = "Đang tạo bản xem trước…";
      try {
        target.innerHTML = await rendered(editor ? editor.value() : textarea.value);
      } catch (error) {
        target.textContent = error.message;
      }
      previewBox.scrollIntoView({ block: "start" });
      previewBox.focus();
    });
  }
})();
