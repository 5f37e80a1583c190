// Dianxiaoer shopper web chat: plain JavaScript, no build step, no third-party code.
// Talks to the recommender's shopper-channel proxy (/chat/api/*), which forwards
// to Rasa's REST channel. The session id is random and kept in localStorage.
(function () {
  "use strict";
  const T = {
    zh: { send: "发送", online: "在线", offline: "连接中断，请稍后重试", like: "喜欢", why: "为什么", cart: "加购",
          likeMsg: t => `喜欢「${t}」`, whyMsg: t => `为什么推荐「${t}」？`, cartMsg: t => `把「${t}」加入购物车`,
          chips: ["我想买一条适合约会的连衣裙，500元以内", "有什么辣的素菜", "推荐一款低风险理财", "有优惠券吗", "找人工客服"],
          hello: "您好！我是店小二，可以帮您挑商品、配衣服、点菜和选理财。" },
    en: { send: "Send", online: "online", offline: "Connection lost, please retry", like: "Like", why: "Why", cart: "Cart",
          likeMsg: t => `I like ${t}`, whyMsg: t => `Why ${t}?`, cartMsg: t => `Add ${t} to my cart`,
          chips: ["a dress for a date under $70", "any spicy vegetarian dishes under $20?", "I want a low-risk investment for one year", "any coupons?", "talk to a human"],
          hello: "Hi! I'm Dianxiaoer: I can find products, complete outfits, suggest dishes and pick financial products." },
  };
  const $ = id => document.getElementById(id);
  const log = $("log"), form = $("form"), input = $("text"), sendBtn = $("send");
  const browserLang = (navigator.language || "zh").slice(0, 2) === "en" ? "en" : "zh";
  let lang = localStorage.getItem("dxe.lang") || browserLang;
  let session = localStorage.getItem("dxe.session");
  // Card buttons speak the language the shopper last wrote in (the bot answers in it).
  let chatLang = null;
  const HAN = /[\u4e00-\u9fff]/g, LATIN = /[A-Za-z]+/g;
  function writtenLang(text) {
    const han = (text.match(HAN) || []).length, words = (text.match(LATIN) || []).length;
    return han === 0 && words === 0 ? null : (han >= words ? "zh" : "en");
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;  // textContent only: never innerHTML with data
    return e;
  }
  function scroll() { log.scrollTop = log.scrollHeight; }
  function add(cls, text) { const m = el("div", "msg " + cls, text); log.appendChild(m); scroll(); return m; }

  // A card's buttons name the card itself (its item id and the list it was shown in) with
  // Rasa's payload syntax, so a button on an older list acts on that card, never on the
  // item with the same number in the latest list. Typed text ("why number 2?") still
  // means the latest list. The shopper sees the sentence, the bot gets the payload.
  const BUTTONS = [["like", "like_item", "likeMsg"], ["why", "ask_why", "whyMsg"], ["cart", "add_to_cart", "cartMsg"]];
  function cardPayload(intent, it, recommendationId) {
    return "/" + intent + JSON.stringify({ item_id: String(it.id), recommendation_id: recommendationId || null });
  }
  function cardTitle(it, language) {
    return (it.titles && it.titles[language]) || it.title || String(it.id);
  }

  function renderCards(payload) {
    const row = el("div", "cards");
    row.dataset.recommendationId = payload.recommendation_id || "";
    (payload.items || []).forEach((it, i) => {
      const c = el("article", "card");
      c.dataset.itemId = it.id;
      const img = el("img"); img.alt = it.title || ""; img.loading = "lazy"; img.src = it.image_url || "";
      const b = el("div", "body");
      b.append(el("span", "n", "#" + (i + 1)), el("span", "t", it.title || ""),
               el("span", "p", price(it)), el("span", "r", it.reason || ""));
      const acts = el("div", "acts");
      const language = chatLang || lang, L = T[language];
      BUTTONS.forEach(([k, intent, msg]) => {
        const btn = el("button", "", L[k]); btn.type = "button";
        btn.dataset.intent = intent;
        btn.addEventListener("click", () =>
          send(cardPayload(intent, it, payload.recommendation_id), L[msg](cardTitle(it, language))));
        acts.appendChild(btn);
      });
      b.appendChild(acts); c.append(img, b); row.appendChild(c);
    });
    log.appendChild(row); scroll();
  }
  function price(it) {
    const cur = it.display_currency || it.currency || "CNY";
    const v = it.display_price != null ? it.display_price : it.price;
    return (cur === "USD" ? "$" : "¥") + Number(v).toFixed(cur === "USD" ? 2 : 0);
  }

  function renderMessages(messages) {
    (messages || []).forEach(m => {
      if (m.text) add("bot", m.text);
      if (m.custom && m.custom.type === "cards") renderCards(m.custom);
      if (m.image) { const i = el("img"); i.src = m.image; i.style.maxWidth = "60%"; log.appendChild(i); }
      if (m.buttons && m.buttons.length) renderQuickReplies(m.buttons);
    });
  }
  // Quick replies (e.g. yes / no to an offer): one row under the message, gone once used.
  function renderQuickReplies(buttons) {
    const row = el("div", "quick");
    buttons.forEach(b => {
      const btn = el("button", "", b.title || b.payload || ""); btn.type = "button";
      btn.addEventListener("click", () => { row.remove(); send(b.payload || b.title); });
      row.appendChild(btn);
    });
    log.appendChild(row); scroll();
  }

  async function ensureSession() {
    if (session && /^[0-9a-f]{32}$/.test(session)) return session;
    const r = await fetch("/chat/api/session");
    session = (await r.json()).session_id;
    localStorage.setItem("dxe.session", session);
    return session;
  }

  // `shown` is what the shopper sees in their bubble when it differs from what the bot
  // gets (a card button's payload); only typed text tells which language they write in.
  async function send(text, shown) {
    text = (text || "").trim();
    if (!text) return;
    add("me", shown || text);
    if (!shown) chatLang = writtenLang(text) || chatLang;
    input.value = ""; sendBtn.disabled = true;
    const wait = add("bot typing", "");
    try {
      const r = await fetch("/chat/api/message", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session_id: await ensureSession(), message: text }),
      });
      const data = await r.json().catch(() => ({}));
      wait.remove();
      if (data.messages && data.messages.length) renderMessages(data.messages);
      else if (!r.ok) add("sys", data.detail || T[lang].offline);
      $("status").textContent = T[lang].online;
    } catch (e) {
      wait.remove(); add("sys", T[lang].offline);
    } finally { sendBtn.disabled = false; input.focus(); }
  }

  function chip(label, text) {
    const b = el("button", "", label); b.type = "button";
    b.addEventListener("click", () => send(text || label));
    $("chips").appendChild(b);
  }
  function applyLang() {
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    $("lang").textContent = lang === "en" ? "中文" : "EN";
    sendBtn.textContent = T[lang].send;
    $("chips").replaceChildren(); T[lang].chips.forEach(c => chip(c));
  }
  $("lang").addEventListener("click", () => { lang = lang === "en" ? "zh" : "en"; localStorage.setItem("dxe.lang", lang); applyLang(); });
  form.addEventListener("submit", e => { e.preventDefault(); send(input.value); });
  applyLang();
  add("sys", T[lang].hello);
})();
