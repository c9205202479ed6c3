// leadgate chat widget. One file, no dependencies, no build step.
// Embed: <script src="https://GATEWAY/widget.js" data-site="SITE_KEY" async></script>
// Optional attributes: data-locale, data-title, data-open="true".
// Wire protocol: docs/protocol.md (v1). Works under a strict CSP: the DOM is built with
// DOM APIs, text goes in through textContent, and styles come from widget.css via <link>.
(() => {
  "use strict";

  const script =
    document.currentScript || document.querySelector('script[src*="widget.js"][data-site]');
  if (!script || !script.dataset.site || window.LeadgateWidget) return;

  const SITE_KEY = script.dataset.site;
  const SCRIPT_URL = new URL(script.src, location.href);
  // Resolved against the script so that a gateway mounted under a path prefix works too.
  const SOCKET_URL = new URL("ws", SCRIPT_URL);
  SOCKET_URL.protocol = SCRIPT_URL.protocol === "https:" ? "wss:" : "ws:";
  SOCKET_URL.searchParams.set("site", SITE_KEY);
  const STYLESHEET_URL = new URL("widget.css", SCRIPT_URL).href;

  const HISTORY_CAP = 200;
  const PING_EVERY_MS = 25_000;
  const TYPING_HIDE_AFTER_MS = 15_000;
  const NOTICE_HIDE_AFTER_MS = 8_000;
  const BACKOFF_FIRST_MS = 500;
  const BACKOFF_MAX_MS = 30_000;
  // After a server failure a message is retried a few times, then waits for the next connection.
  const RETRY_AFTER_INTERNAL_MS = 3_000;
  const INTERNAL_RETRIES = 3;
  // Close codes after which reconnecting cannot help: the site or origin is refused.
  const FATAL_ERRORS = new Set(["unknown_site", "origin_not_allowed", "unsupported_version"]);

  const STRINGS = {
    en: {
      launcher: "Chat with us", title: "Chat with us", close: "Close chat",
      placeholder: "Type your message…", send: "Send", log: "Conversation",
      connecting: "Connecting…", reconnecting: "Reconnecting…",
      unavailable: "Chat is unavailable right now.",
      privacy: "Privacy", accept: "Accept", decline: "Decline", policy: "Privacy policy",
      conversationFull: "This conversation is full, so a new one starts. Your message goes there.",
      rateLimited: "You're sending messages quickly. We'll send this one in a moment.",
      textTooLong: "That message is too long by {over} characters. Please shorten it.",
      counter: "{left} characters left",
      emptyText: "Please type a message first.",
      internal: "Something went wrong. We'll try again.",
      sending: "Sending…", you: "You:", assistant: "Assistant:",
      typing: "Assistant is typing…", quickReplies: "Suggested replies",
      rep: "{name} (team):", privacyLink: "How we use your data",
    },
    pl: {
      launcher: "Porozmawiaj z nami", title: "Porozmawiaj z nami", close: "Zamknij czat",
      placeholder: "Napisz wiadomość…", send: "Wyślij", log: "Rozmowa",
      connecting: "Łączenie…", reconnecting: "Ponowne łączenie…",
      unavailable: "Czat jest teraz niedostępny.",
      privacy: "Prywatność", accept: "Akceptuję", decline: "Odrzucam", policy: "Polityka prywatności",
      conversationFull: "Ta rozmowa osiągnęła limit, więc zaczynamy nową. Tam wyślemy Twoją wiadomość.",
      rateLimited: "Wysyłasz wiadomości bardzo szybko. Wyślemy tę za chwilę.",
      textTooLong: "Ta wiadomość jest za długa o {over} znaków. Skróć ją, proszę.",
      counter: "Pozostało znaków: {left}",
      emptyText: "Najpierw wpisz wiadomość.",
      internal: "Coś poszło nie tak. Spróbujemy ponownie.",
      sending: "Wysyłanie…", you: "Ty:", assistant: "Asystent:",
      typing: "Asystent pisze…", quickReplies: "Sugerowane odpowiedzi",
      rep: "{name} (zespół):", privacyLink: "Jak wykorzystujemy Twoje dane",
    },
    de: {
      launcher: "Chatten Sie mit uns", title: "Chatten Sie mit uns", close: "Chat schließen",
      placeholder: "Nachricht eingeben…", send: "Senden", log: "Unterhaltung",
      connecting: "Verbindung wird hergestellt…", reconnecting: "Verbindung wird wiederhergestellt…",
      unavailable: "Der Chat ist gerade nicht verfügbar.",
      privacy: "Datenschutz", accept: "Akzeptieren", decline: "Ablehnen", policy: "Datenschutzerklärung",
      conversationFull: "Dieses Gespräch ist voll, daher beginnt ein neues. Ihre Nachricht geht dorthin.",
      rateLimited: "Sie senden sehr schnell. Wir senden diese Nachricht gleich.",
      textTooLong: "Diese Nachricht ist um {over} Zeichen zu lang. Bitte kürzen Sie sie.",
      counter: "Noch {left} Zeichen",
      emptyText: "Bitte geben Sie zuerst eine Nachricht ein.",
      internal: "Etwas ist schiefgelaufen. Wir versuchen es erneut.",
      sending: "Wird gesendet…", you: "Sie:", assistant: "Assistent:",
      typing: "Assistent schreibt…", quickReplies: "Antwortvorschläge",
      rep: "{name} (Team):", privacyLink: "Wie wir Ihre Daten verwenden",
    },
    es: {
      launcher: "Chatea con nosotros", title: "Chatea con nosotros", close: "Cerrar chat",
      placeholder: "Escribe tu mensaje…", send: "Enviar", log: "Conversación",
      connecting: "Conectando…", reconnecting: "Reconectando…",
      unavailable: "El chat no está disponible ahora.",
      privacy: "Privacidad", accept: "Aceptar", decline: "Rechazar", policy: "Política de privacidad",
      conversationFull: "Esta conversación está llena, así que empieza una nueva. Su mensaje irá allí.",
      rateLimited: "Estás enviando mensajes muy rápido. Lo enviaremos en un momento.",
      textTooLong: "Ese mensaje tiene {over} caracteres de más. Acórtalo, por favor.",
      counter: "Quedan {left} caracteres",
      emptyText: "Escribe un mensaje primero.",
      internal: "Algo salió mal. Lo intentaremos de nuevo.",
      sending: "Enviando…", you: "Tú:", assistant: "Asistente:",
      typing: "El asistente está escribiendo…", quickReplies: "Respuestas sugeridas",
      rep: "{name} (equipo):", privacyLink: "Cómo usamos tus datos",
    },
    fr: {
      launcher: "Discutez avec nous", title: "Discutez avec nous", close: "Fermer le chat",
      placeholder: "Écrivez votre message…", send: "Envoyer", log: "Conversation",
      connecting: "Connexion…", reconnecting: "Reconnexion…",
      unavailable: "Le chat est indisponible pour le moment.",
      privacy: "Confidentialité", accept: "Accepter", decline: "Refuser",
      policy: "Politique de confidentialité",
      conversationFull: "Cette conversation est pleine : une nouvelle commence, et votre message y sera envoyé.",
      rateLimited: "Vous envoyez des messages très vite. Nous enverrons celui-ci dans un instant.",
      textTooLong: "Ce message dépasse la limite de {over} caractères. Merci de le raccourcir.",
      counter: "Encore {left} caractères",
      emptyText: "Écrivez d'abord un message.",
      internal: "Un problème est survenu. Nous allons réessayer.",
      sending: "Envoi…", you: "Vous :", assistant: "Assistant :",
      typing: "L'assistant écrit…", quickReplies: "Réponses suggérées",
      rep: "{name} (équipe) :", privacyLink: "Comment nous utilisons vos données",
    },
  };

  const LOCALE = script.dataset.locale || navigator.language || "en";
  const T = STRINGS[LOCALE.toLowerCase().split("-")[0]] || STRINGS.en;
  const TITLE = script.dataset.title || T.title;

  // ---- persistence -------------------------------------------------------------------------

  /** localStorage per site key; falls back to memory where storage is blocked. */
  const storage = (() => {
    const memory = new Map();
    const key = (name) => `leadgate:${SITE_KEY}:${name}`;
    return {
      load(name, fallback) {
        try {
          const raw = localStorage.getItem(key(name));
          return raw === null ? fallback : JSON.parse(raw);
        } catch {
          return memory.has(name) ? memory.get(name) : fallback;
        }
      },
      save(name, value) {
        memory.set(name, value);
        try {
          localStorage.setItem(key(name), JSON.stringify(value));
        } catch {
          // Storage full or blocked: the in-memory copy keeps this page working.
        }
      },
    };
  })();

  // session: {id, resumeToken, lastSeq, consentChoice}; history: stored message frames by seq;
  // outbox: [{clientMsgId, text}] sent but not yet acknowledged.
  let session = storage.load("session", {});
  let history = storage.load("history", []);
  let outbox = storage.load("outbox", []);
  if (!Array.isArray(history)) history = [];
  if (!Array.isArray(outbox)) outbox = [];
  if (!session || typeof session !== "object") session = {};
  if (!session.id) session = { lastSeq: 0 };

  let savePending = false;
  function scheduleSave() {
    if (savePending) return;
    savePending = true;
    queueMicrotask(() => {
      savePending = false;
      if (history.length > HISTORY_CAP) history = history.slice(-HISTORY_CAP);
      storage.save("session", session);
      storage.save("history", history);
      storage.save("outbox", outbox);
    });
  }

  // ---- DOM ---------------------------------------------------------------------------------

  function el(tag, className, attrs = {}) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    return node;
  }

  function svgIcon(pathData) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", pathData);
    svg.append(path);
    return svg;
  }

  const ICON_CHAT = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
  const ICON_CLOSE = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z";
  const ICON_SEND = "M3 20.5 21 12 3 3.5v6.6l12 1.9-12 1.9z";

  const host = document.createElement("leadgate-widget");
  const shadow = host.attachShadow({ mode: "open" });
  const stylesheet = el("link", "", { rel: "stylesheet", href: STYLESHEET_URL });
  // Hidden until the stylesheet arrives so the page never shows an unstyled widget.
  const root = el("div", "root");
  root.hidden = true;
  stylesheet.addEventListener("load", () => { root.hidden = false; });
  stylesheet.addEventListener("error", () => { root.hidden = false; });

  const launcher = el("button", "launcher", {
    type: "button", "aria-label": T.launcher, "aria-expanded": "false", "aria-controls": "lg-panel",
  });
  launcher.append(svgIcon(ICON_CHAT), svgIcon(ICON_CLOSE));

  const panel = el("section", "panel", { id: "lg-panel", role: "dialog", "aria-label": TITLE });
  panel.hidden = true;

  const header = el("header", "header");
  const title = el("h2", "title");
  title.textContent = TITLE;
  const closeButton = el("button", "icon-button close", { type: "button", "aria-label": T.close });
  closeButton.append(svgIcon(ICON_CLOSE));
  header.append(title, closeButton);

  const status = el("p", "status", { role: "status" });
  status.hidden = true;

  const log = el("div", "log", { role: "log", "aria-live": "polite", "aria-label": T.log, tabindex: "0" });

  const typing = el("div", "typing");
  typing.hidden = true;
  const typingLabel = el("span", "sr-only");
  typingLabel.textContent = T.typing;
  typing.append(typingLabel, el("span", "dot"), el("span", "dot"), el("span", "dot"));

  const quickReplies = el("div", "quick-replies", { role: "group", "aria-label": T.quickReplies });
  quickReplies.hidden = true;

  const notice = el("p", "notice", { role: "status" });
  notice.hidden = true;

  const consentBox = el("div", "consent", { role: "region", "aria-label": T.privacy });
  consentBox.hidden = true;
  const consentText = el("p", "consent-text");
  const consentActions = el("div", "consent-actions");
  const acceptButton = el("button", "button button-primary", { type: "button" });
  acceptButton.textContent = T.accept;
  const declineButton = el("button", "button", { type: "button" });
  declineButton.textContent = T.decline;
  consentActions.append(acceptButton, declineButton);
  consentBox.append(consentText, consentActions);

  const composer = el("form", "composer");
  const input = el("textarea", "input", {
    rows: "1", placeholder: T.placeholder, "aria-label": T.placeholder, "aria-describedby": "lg-counter",
  });
  const sendButton = el("button", "send", { type: "submit", "aria-label": T.send });
  sendButton.append(svgIcon(ICON_SEND));
  composer.append(input, sendButton);
  // Shown near and over the length limit, so the visitor sees by how much before sending.
  const counter = el("p", "counter", { id: "lg-counter", "aria-live": "polite" });
  counter.hidden = true;
  // The site's privacy policy, linked before anything is collected (GDPR Art. 13), whether or
  // not the site asks for consent.
  const privacyLine = el("p", "privacy-line");
  privacyLine.hidden = true;

  panel.append(header, status, log, typing, quickReplies, notice, consentBox, composer, counter, privacyLine);
  root.append(launcher, panel);
  shadow.append(stylesheet, root);

  // ---- rendering ---------------------------------------------------------------------------

  const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
  const TRAILING_PUNCTUATION = /[.,;:!?)\]]+$/;

  /** Appends text to `parent`, turning http(s) URLs into safe links; never used for visitor text. */
  function appendLinkified(parent, text) {
    let last = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      const raw = match[0].replace(TRAILING_PUNCTUATION, "");
      let href = null;
      try {
        const url = new URL(raw);
        if (url.protocol === "http:" || url.protocol === "https:") href = url.href;
      } catch {
        href = null;
      }
      if (!href) continue;
      parent.append(text.slice(last, match.index));
      const link = el("a", "", { href, target: "_blank", rel: "noopener noreferrer" });
      link.textContent = raw;
      parent.append(link);
      last = match.index + raw.length;
    }
    parent.append(text.slice(last));
  }

  function fillBubble(bubble, role, text) {
    const body = bubble.querySelector(".text");
    body.replaceChildren();
    if (role === "visitor") body.textContent = text;
    else appendLinkified(body, text);
  }

  /** A message bubble: the visitor's, the assistant's, or a person's from the team (`rep`),
   * who is shown by name so that nobody takes them for the bot. */
  function createBubble(role, text, author) {
    const fromVisitor = role === "visitor";
    const fromRep = role === "rep";
    const kind = fromVisitor ? "msg-visitor" : fromRep ? "msg-rep" : "msg-bot";
    const bubble = el("div", `msg ${kind}`);
    const speaker = el("span", "sr-only");
    const name = String(author || "").trim();
    speaker.textContent = fromVisitor ? T.you : fromRep ? T.rep.replace("{name}", name) : T.assistant;
    bubble.append(speaker);
    if (fromRep && name) {
      const label = el("span", "author", { "aria-hidden": "true" });
      label.textContent = name;
      bubble.append(label);
    }
    const body = el("span", "text");
    const sending = el("span", "sending");
    sending.textContent = T.sending;
    bubble.append(body, sending);
    fillBubble(bubble, role, text);
    return bubble;
  }

  /** Keeps persisted messages in seq order; bubbles without a seq (pending, streaming) stay last. */
  function placeBySeq(bubble, seq) {
    const next = [...log.children].find(
      (child) => child !== bubble && (!child.dataset.seq || Number(child.dataset.seq) > seq),
    );
    if (bubble.parentNode === log && bubble.nextSibling === (next || null)) return;
    log.insertBefore(bubble, next || null);
  }

  // The log follows new messages unless the visitor has scrolled up to read.
  let followEnd = true;
  function scrollToEnd() {
    followEnd = true;
    log.scrollTop = log.scrollHeight;
  }
  function keepAtEnd() {
    if (followEnd) scrollToEnd();
  }
  log.addEventListener("scroll", () => {
    followEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  });
  new ResizeObserver(() => {
    if (followEnd) log.scrollTop = log.scrollHeight;
  }).observe(log);

  function markStored(bubble, message) {
    bubble.dataset.seq = String(message.seq);
    bubble.dataset.id = message.id;
    bubble.classList.remove("is-pending", "is-streaming");
  }

  // Bubbles by key, so that echoes, acks and final messages find what they replace.
  const bubbleBySeq = new Map();
  const pendingByClientId = new Map();
  const streamingById = new Map();
  const streamedText = new Map();
  const knownIds = new Set();

  function renderStored(message) {
    const bubble = createBubble(message.role, message.text, message.author);
    markStored(bubble, message);
    bubbleBySeq.set(message.seq, bubble);
    knownIds.add(message.id);
    placeBySeq(bubble, message.seq);
  }

  function renderPending(entry) {
    const bubble = createBubble("visitor", entry.text);
    bubble.classList.add("is-pending");
    pendingByClientId.set(entry.clientMsgId, bubble);
    log.append(bubble);
  }

  function renderQuickReplies() {
    const lastMessage = history[history.length - 1];
    const replies = lastMessage && lastMessage.role !== "visitor" && pendingByClientId.size === 0
      ? lastMessage.quick_replies || []
      : [];
    quickReplies.replaceChildren(...replies.map((reply) => {
      const button = el("button", "button quick-reply", { type: "button" });
      button.textContent = reply.title;
      button.addEventListener("click", () => {
        submit(reply.title);
        // The buttons are replaced as the conversation moves on: focus goes to the input so a
        // keyboard user stays in the panel (and Escape still closes it).
        input.focus();
      });
      return button;
    }));
    quickReplies.hidden = replies.length === 0;
  }

  let noticeTimer = 0;
  function hideNotice() {
    clearTimeout(noticeTimer);
    notice.hidden = true;
  }
  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { notice.hidden = true; }, NOTICE_HIDE_AFTER_MS);
  }

  let typingTimer = 0;
  function setTyping(on) {
    clearTimeout(typingTimer);
    typing.hidden = !on;
    if (on) {
      typingTimer = setTimeout(() => { typing.hidden = true; }, TYPING_HIDE_AFTER_MS);
      keepAtEnd();
    }
  }

  function setStatus(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  // ---- conversation state ------------------------------------------------------------------

  let consent = { required: false, granted: false };
  let consentToSend = null;
  let limits = { max_text_bytes: 4096 };

  // Connection state: `ready` means a `welcome` arrived on the current socket.
  let socket = null;
  let ready = false;
  let fatal = false;
  let connectedOnce = false;
  let attempt = 0;
  let reconnectTimer = 0;
  let pingTimer = 0;
  let awaitingPong = false;
  // Messages go one at a time, each after the previous one's `ack`, so that a burst is stored
  // in the order it was typed even when the gateway refuses some for a while (rate limit).
  let inFlight = null;

  function renderConsent() {
    const visible = consent.required && !consent.granted && session.consentChoice !== "declined";
    consentBox.hidden = !visible;
    renderPrivacyLine(!visible);
    if (!visible) return;
    consentText.replaceChildren();
    appendLinkified(consentText, consent.notice || "");
    if (isHttpUrl(consent.policy_url)) {
      consentText.append(" ");
      const link = el("a", "", { href: consent.policy_url, target: "_blank", rel: "noopener noreferrer" });
      link.textContent = T.policy;
      consentText.append(link);
    }
  }

  /** The policy link under the composer whenever the consent box (which has its own) is hidden. */
  function renderPrivacyLine(show) {
    privacyLine.replaceChildren();
    privacyLine.hidden = !(show && isHttpUrl(consent.policy_url));
    if (privacyLine.hidden) return;
    const link = el("a", "", { href: consent.policy_url, target: "_blank", rel: "noopener noreferrer" });
    link.textContent = T.privacyLink;
    privacyLine.append(link);
  }

  function isHttpUrl(value) {
    try {
      return ["http:", "https:"].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }

  /** Forgets the stored conversation (new session); unsent messages stay queued. */
  function resetConversation() {
    history = [];
    session = { lastSeq: 0 };
    for (const bubble of log.querySelectorAll(".msg:not(.is-pending)")) bubble.remove();
    for (const [clientMsgId, bubble] of pendingByClientId) {
      if (bubble.dataset.seq) {
        bubble.remove();
        pendingByClientId.delete(clientMsgId);
      }
    }
    bubbleBySeq.clear();
    streamingById.clear();
    streamedText.clear();
    knownIds.clear();
    renderQuickReplies();
    scheduleSave();
  }

  function insertIntoHistory(message) {
    let index = history.length;
    while (index > 0 && history[index - 1].seq > message.seq) index -= 1;
    history.splice(index, 0, message);
  }

  function removeFromOutbox(clientMsgId) {
    const before = outbox.length;
    outbox = outbox.filter((entry) => entry.clientMsgId !== clientMsgId);
    if (outbox.length !== before) scheduleSave();
    if (inFlight === clientMsgId) {
      inFlight = null;
      pump();
    }
  }

  function onMessage(frame) {
    if (typeof frame.seq !== "number" || bubbleBySeq.has(frame.seq) || knownIds.has(frame.id)) return;
    const message = {
      seq: frame.seq, id: frame.id, role: frame.role, text: String(frame.text ?? ""),
      created_at: frame.created_at,
    };
    if (Array.isArray(frame.quick_replies)) message.quick_replies = frame.quick_replies;
    if (frame.client_msg_id) message.client_msg_id = frame.client_msg_id;
    if (typeof frame.author === "string") message.author = frame.author;

    const placeholder =
      (frame.client_msg_id && pendingByClientId.get(frame.client_msg_id)) ||
      [...pendingByClientId.values()].find((bubble) => bubble.dataset.seq === String(frame.seq)) ||
      streamingById.get(frame.id);
    if (placeholder) {
      for (const [clientMsgId, bubble] of pendingByClientId) {
        if (bubble === placeholder) pendingByClientId.delete(clientMsgId);
      }
      streamingById.delete(frame.id);
      streamedText.delete(frame.id);
      fillBubble(placeholder, message.role, message.text);
      markStored(placeholder, message);
      bubbleBySeq.set(message.seq, placeholder);
      knownIds.add(message.id);
      placeBySeq(placeholder, message.seq);
    } else {
      renderStored(message);
    }
    if (frame.client_msg_id) removeFromOutbox(frame.client_msg_id);
    if (message.role !== "visitor") {
      setTyping(false);
      hideNotice();
    }

    insertIntoHistory(message);
    session.lastSeq = Math.max(session.lastSeq || 0, message.seq);
    scheduleSave();
    scheduleAck();
    renderQuickReplies();
    keepAtEnd();
  }

  function onAck(frame) {
    removeFromOutbox(frame.client_msg_id);
    const bubble = pendingByClientId.get(frame.client_msg_id);
    if (!bubble) return;
    if (bubbleBySeq.has(frame.seq) || frame.seq <= (session.lastSeq || 0)) {
      // Already shown through the replay (a resend of a stored message).
      bubble.remove();
      pendingByClientId.delete(frame.client_msg_id);
    } else {
      bubble.classList.remove("is-pending");
      bubble.dataset.seq = String(frame.seq);
      placeBySeq(bubble, frame.seq);
    }
    renderQuickReplies();
  }

  function onDelta(frame) {
    if (knownIds.has(frame.id)) return;
    let bubble = streamingById.get(frame.id);
    if (!bubble) {
      bubble = createBubble("bot", "");
      bubble.classList.add("is-streaming");
      streamingById.set(frame.id, bubble);
      log.append(bubble);
      setTyping(false);
    }
    const text = (streamedText.get(frame.id) || "") + String(frame.text ?? "");
    streamedText.set(frame.id, text);
    fillBubble(bubble, "bot", text);
    keepAtEnd();
  }

  function onConsent(frame) {
    consent = { ...consent, granted: Boolean(frame.granted), required: Boolean(frame.required) };
    renderConsent();
  }

  function onError(frame) {
    const entry = outbox.find((item) => item.clientMsgId === frame.client_msg_id);
    switch (frame.code) {
      case "rate_limited":
        showNotice(T.rateLimited);
        setTimeout(() => resend(frame, entry), Number(frame.retry_after_ms) || 2_000);
        break;
      case "text_too_long":
      case "empty_text":
        showNotice(frame.code === "empty_text" ? T.emptyText : tooLongText(entry ? entry.text : ""));
        if (entry) withdraw(entry);
        break;
      case "internal":
        showNotice(T.internal);
        if (!entry) break;
        entry.internalRetries = (entry.internalRetries || 0) + 1;
        if (entry.internalRetries <= INTERNAL_RETRIES) {
          setTimeout(() => resend(frame, entry), RETRY_AFTER_INTERNAL_MS);
        }
        break;
      case "resume_failed":
        resetConversation();
        break;
      case "conversation_full":
        // The conversation is kept on the server; the next connection starts a new one, and
        // the refused message (still queued) is sent there.
        showNotice(T.conversationFull);
        resetConversation();
        break;
      case "erased":
        // An operator erased the conversation: nothing it held is kept or sent again, and the
        // next connection starts a new one.
        for (const item of [...outbox]) {
          removeFromOutbox(item.clientMsgId);
          pendingByClientId.get(item.clientMsgId)?.remove();
          pendingByClientId.delete(item.clientMsgId);
        }
        resetConversation();
        break;
      default:
        if (FATAL_ERRORS.has(frame.code)) {
          fatal = true;
          setStatus(T.unavailable);
        } else {
          console.warn(`leadgate: ${frame.code}: ${frame.message}`);
        }
    }
  }

  /** Takes a refused message back into the input so the visitor can edit it. */
  function withdraw(entry) {
    removeFromOutbox(entry.clientMsgId);
    const bubble = pendingByClientId.get(entry.clientMsgId);
    if (bubble) bubble.remove();
    pendingByClientId.delete(entry.clientMsgId);
    if (!input.value) input.value = entry.text;
    renderQuickReplies();
  }

  // ---- connection --------------------------------------------------------------------------

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function pump() {
    if (!ready || inFlight !== null || outbox.length === 0) return;
    const entry = outbox[0];
    inFlight = entry.clientMsgId;
    send({ type: "message", client_msg_id: entry.clientMsgId, text: entry.text });
  }

  /** Sends again the queued message an error named (or the queue's head when it named none). */
  function resend(errorFrame, entry) {
    if (!errorFrame.client_msg_id || (entry && inFlight === entry.clientMsgId)) {
      inFlight = null;
      pump();
    }
  }

  let ackScheduled = false;
  let ackedSeq = 0;
  function scheduleAck() {
    if (ackScheduled) return;
    ackScheduled = true;
    setTimeout(() => {
      ackScheduled = false;
      if (ready && session.lastSeq > ackedSeq) {
        ackedSeq = session.lastSeq;
        send({ type: "ack", seq: ackedSeq });
      }
    }, 0);
  }

  function hello() {
    const frame = { type: "hello", v: 1, site: SITE_KEY, last_seq: 0, locale: LOCALE,
      // Origin and path only: a query or fragment may carry tokens, search terms or e-mail
      // addresses, and the referrer is another site's page.
      page: { url: location.origin + location.pathname } };
    if (session.id && session.resumeToken) {
      frame.session_id = session.id;
      frame.resume_token = session.resumeToken;
      frame.last_seq = session.lastSeq || 0;
    }
    send(frame);
  }

  function onWelcome(frame) {
    if (session.id && session.id !== frame.session_id) resetConversation();
    session = { ...session, id: frame.session_id, resumeToken: frame.resume_token };
    session.lastSeq = session.lastSeq || 0;
    scheduleSave();
    if (frame.limits) limits = { ...limits, ...frame.limits };
    if (frame.consent) consent = frame.consent;
    renderConsent();
    ready = true;
    connectedOnce = true;
    attempt = 0;
    ackedSeq = 0;
    setStatus("");
    if (consentToSend !== null) sendConsent(consentToSend);
    inFlight = null;
    pump();
  }

  const HANDLERS = {
    welcome: onWelcome, message: onMessage, ack: onAck, delta: onDelta, consent: onConsent,
    error: onError, typing: (frame) => setTyping(frame.on !== false),
    pong: () => { awaitingPong = false; },
  };

  function connect() {
    if (socket || fatal) return;
    clearTimeout(reconnectTimer);
    setStatus(connectedOnce ? T.reconnecting : T.connecting);
    const ws = new WebSocket(SOCKET_URL.href);
    socket = ws;
    ws.addEventListener("open", () => {
      if (socket !== ws) return;
      hello();
      startPinging();
    });
    ws.addEventListener("message", (event) => {
      if (socket !== ws || typeof event.data !== "string") return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      const handle = frame && HANDLERS[frame.type];
      if (handle) handle(frame);
    });
    ws.addEventListener("close", () => forgetSocket(ws));
  }

  /** Stops using `ws` and plans the reconnect; runs once per socket. */
  function forgetSocket(ws) {
    if (socket !== ws) return;
    socket = null;
    ready = false;
    inFlight = null;
    clearInterval(pingTimer);
    setTyping(false);
    // An unfinished stream is replayed whole as its final message after the resume.
    for (const bubble of streamingById.values()) bubble.remove();
    streamingById.clear();
    streamedText.clear();
    if (fatal) return;
    setStatus(T.reconnecting);
    scheduleReconnect();
  }

  /** Exponential backoff from 0.5 s to 30 s with ±20 % jitter. */
  function reconnectDelay(attemptNumber) {
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attemptNumber);
    return Math.min(BACKOFF_MAX_MS, base * (0.8 + Math.random() * 0.4));
  }

  function scheduleReconnect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, reconnectDelay(attempt));
    attempt += 1;
  }

  function startPinging() {
    clearInterval(pingTimer);
    awaitingPong = false;
    pingTimer = setInterval(() => {
      // No pong since the last ping: the connection is dead without having said so, and its
      // close event may take long to come, so it is dropped at once.
      if (awaitingPong && socket) {
        const dead = socket;
        forgetSocket(dead);
        dead.close();
        return;
      }
      awaitingPong = true;
      send({ type: "ping", t: Date.now() });
    }, PING_EVERY_MS);
  }

  window.addEventListener("online", () => { if (!socket) connect(); });

  // ---- visitor actions ---------------------------------------------------------------------

  function newClientMsgId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    // randomUUID exists only in secure contexts; getRandomValues exists everywhere.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** Queues and sends a visitor message; returns false when it was refused locally. */
  function submit(rawText) {
    const text = rawText.trim();
    if (!text) {
      showNotice(T.emptyText);
      return false;
    }
    if (overLimit(text) > 0) {
      showNotice(tooLongText(text));
      return false;
    }
    hideNotice();
    const entry = { clientMsgId: newClientMsgId(), text };
    outbox.push(entry);
    scheduleSave();
    renderPending(entry);
    renderQuickReplies();
    scrollToEnd();
    pump();
    connect();
    return true;
  }

  const encoder = new TextEncoder();
  /** How many characters must go from the end of `text` for it to fit the gateway's limit. */
  function overLimit(text) {
    let bytes = encoder.encode(text).length;
    if (bytes <= limits.max_text_bytes) return 0;
    const chars = [...text];
    let over = 0;
    while (bytes > limits.max_text_bytes && over < chars.length) {
      over += 1;
      bytes -= encoder.encode(chars[chars.length - over]).length;
    }
    return over;
  }

  function tooLongText(text) {
    return T.textTooLong.replace("{over}", String(Math.max(1, overLimit(text))));
  }

  /** The counter under the input: from 80 % of the limit on, and how far over it is. */
  function updateCounter() {
    const bytes = encoder.encode(input.value.trim()).length;
    const over = overLimit(input.value.trim());
    counter.hidden = bytes < limits.max_text_bytes * 0.8;
    counter.classList.toggle("is-over", over > 0);
    counter.textContent = over > 0
      ? tooLongText(input.value.trim())
      : T.counter.replace("{left}", String(limits.max_text_bytes - bytes));
  }

  function sendConsent(granted) {
    consentToSend = granted;
    if (!ready) {
      connect();
      return;
    }
    const frame = { type: "consent", granted };
    if (consent.policy_version) frame.policy_version = consent.policy_version;
    send(frame);
    consentToSend = null;
  }

  function chooseConsent(granted) {
    session.consentChoice = granted ? "granted" : "declined";
    scheduleSave();
    sendConsent(granted);
    renderConsent();
    input.focus();
  }

  function isOpen() {
    return !panel.hidden;
  }

  function open({ focus = true } = {}) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", T.close);
    root.classList.add("is-open");
    storage.save("open", true);
    connect();
    scrollToEnd();
    if (focus) input.focus();
  }

  function close() {
    const hadFocus = shadow.activeElement !== null;
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", T.launcher);
    root.classList.remove("is-open");
    storage.save("open", false);
    if (hadFocus) launcher.focus();
  }

  launcher.addEventListener("click", () => (isOpen() ? close() : open()));
  closeButton.addEventListener("click", close);
  acceptButton.addEventListener("click", () => chooseConsent(true));
  declineButton.addEventListener("click", () => chooseConsent(false));
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen()) {
      event.stopPropagation();
      close();
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });
  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    if (submit(input.value)) input.value = "";
    updateCounter();
    input.focus();
  });
  input.addEventListener("input", updateCounter);

  // ---- start -------------------------------------------------------------------------------

  for (const message of history) {
    if (!bubbleBySeq.has(message.seq)) renderStored(message);
  }
  for (const entry of outbox) renderPending(entry);
  renderQuickReplies();
  (document.body || document.documentElement).append(host);

  const storedOpen = storage.load("open", null);
  if (storedOpen === true || (storedOpen === null && script.dataset.open === "true")) {
    open({ focus: false });
  }
  // Visitors who never open the chat get no session; a returning one resumes at once.
  if (session.id || outbox.length > 0) connect();

  window.LeadgateWidget = Object.freeze({
    open: () => open(),
    close,
    _debugSocket: () => socket,
  });
})();
