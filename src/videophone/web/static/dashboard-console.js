/* Console home: the dashboard. The API gives the series; this file draws each chart as inline
 * SVG (bars, and a line for minutes), with a title and description for screen readers and the same
 * data as a table. Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, formatDate, handlePageError, labelOf } = VP.ui;
  const SVG = "http://www.w3.org/2000/svg";
  const W = 600;
  const H = 240;
  const PAD = { left: 44, right: 12, top: 12, bottom: 40 };
  let serial = 0;

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v !== null && v !== undefined) node.setAttribute(k, String(v));
    });
    children.flat().forEach((c) => c !== null && c !== undefined && node.append(c instanceof Node ? c : document.createTextNode(String(c))));
    return node;
  }

  function niceMax(value) {
    if (value <= 0) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    const steps = [1, 2, 2.5, 5, 10];
    return steps.map((s) => s * power).find((s) => s >= value) || 10 * power;
  }

  /** A bar chart: labels on x, one or more series (grouped bars), optionally a line series. */
  function chart(opts) {
    const values = [...opts.series.flatMap((s) => s.values), ...(opts.line ? opts.line.values : [])];
    if (!values.some((v) => v > 0)) {
      // Nothing to draw: say so, not an axis scaled to nothing.
      return el("figure", { class: "chart", "data-testid": "chart-" + opts.name, dataset: { empty: "true", total: "0" } },
        opts.caption ? el("figcaption", {}, opts.caption) : null,
        el("p", { class: "muted", "data-testid": "chart-empty" }, t("dash_no_data")));
    }
    const id = "chart-" + ++serial;
    const { labels, series, line, title, format } = opts;
    const fmt = format || String;
    const maxBar = Math.max(0, ...series.flatMap((s) => s.values));
    const top = niceMax(maxBar);
    const lineTop = line ? niceMax(Math.max(0, ...line.values)) : 1;
    const plotW = W - PAD.left - PAD.right;
    const plotH = H - PAD.top - PAD.bottom;
    const slot = plotW / Math.max(1, labels.length);
    const barW = Math.max(1, (slot * 0.8) / series.length);
    const y = (v, max) => PAD.top + plotH - (plotH * v) / max;
    const summary = opts.summary;
    const root = svg(
      "svg",
      { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": id + "-t " + id + "-d", "data-testid": "chart-svg", preserveAspectRatio: "xMidYMid meet" },
      svg("title", { id: id + "-t" }, title),
      svg("desc", { id: id + "-d" }, summary),
      svg("line", { class: "axis", x1: PAD.left, y1: PAD.top + plotH, x2: W - PAD.right, y2: PAD.top + plotH }),
      svg("line", { class: "axis", x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: PAD.top + plotH }),
      svg("text", { x: PAD.left - 4, y: PAD.top + 4, "text-anchor": "end" }, fmt(top)),
      svg("text", { x: PAD.left - 4, y: PAD.top + plotH, "text-anchor": "end" }, "0"),
    );
    const every = Math.max(1, Math.ceil(labels.length / 8));
    labels.forEach((label, i) => {
      const x0 = PAD.left + i * slot + slot * 0.1;
      series.forEach((s, k) => {
        const v = s.values[i];
        const h = (plotH * v) / top;
        root.append(
          svg(
            "rect",
            { class: "bar s" + k, x: x0 + k * barW, y: PAD.top + plotH - h, width: Math.max(0.5, barW - 1), height: h, "data-testid": "chart-bar", "data-series": s.key, "data-label": label, "data-value": v },
            svg("title", {}, `${label} · ${s.label}: ${fmt(v)}`),
          ),
        );
      });
      if (i % every === 0) {
        root.append(svg("text", { x: PAD.left + i * slot + slot / 2, y: H - PAD.bottom + 14, "text-anchor": "middle" }, opts.short ? opts.short(label) : label));
      }
    });
    if (line) {
      const points = line.values.map((v, i) => [PAD.left + i * slot + slot / 2, y(v, lineTop)]);
      root.append(svg("polyline", { class: "line", points: points.map((p) => p.join(",")).join(" ") }));
      points.forEach(([px, py], i) =>
        root.append(
          svg("circle", { class: "dot", cx: px, cy: py, r: 2.5, "data-testid": "chart-point", "data-series": line.key, "data-label": labels[i], "data-value": line.values[i] },
            svg("title", {}, `${labels[i]} · ${line.label}: ${line.values[i]}`)),
        ),
      );
      root.append(svg("text", { x: W - PAD.right, y: PAD.top + 4, "text-anchor": "end" }, line.label + " " + lineTop));
    }
    const legendItems = [...series.map((s, k) => [s.label, "s" + k]), ...(line ? [[line.label, "s1"]] : [])];
    const legend = legendItems.length > 1 ? el("ul", { class: "legend", "aria-hidden": "true" }, legendItems.map(([label, cls]) => el("li", {}, el("i", { class: cls }), label))) : null;
    const columns = [...series, ...(line ? [line] : [])];
    const table = el(
      "details",
      {},
      el("summary", {}, t("dash_table")),
      el("div", { class: "table-wrap" }, el(
        "table",
        { class: "table", "data-testid": "chart-table" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, opts.labelHeader || t("dash_col_label")), columns.map((s) => el("th", { scope: "col", class: "num" }, s.label)))),
        el("tbody", {}, labels.map((label, i) => el("tr", {}, el("th", { scope: "row" }, label), columns.map((s) => el("td", { class: "num" }, (s === line ? String : fmt)(s.values[i])))))),
      )),
    );
    return el("figure", { class: "chart", "data-testid": "chart-" + opts.name, dataset: { total: opts.total === undefined ? "" : String(opts.total) } }, opts.caption ? el("figcaption", {}, opts.caption) : null, root, legend, el("p", { class: "small muted", "data-testid": "chart-summary" }, summary), table);
  }

  const yuan = (fen) => "¥" + (fen / 100).toFixed(2);

  function render(data) {
    const s = data.subscribers;
    const subs = $("[data-chart=subscribers]");
    subs.append(
      chart({
        name: "subscribers-review",
        title: t("dash_subscribers_review", { total: s.total }),
        caption: t("dash_subscribers_review", { total: s.total }),
        labels: s.review.map((i) => labelOf("review_", i.key)),
        series: [{ key: "count", label: t("dash_arrears_accounts"), values: s.review.map((i) => i.count) }],
        summary: s.review.map((i) => labelOf("review_", i.key) + " " + i.count).join("，"),
        total: s.total,
      }),
      chart({
        name: "subscribers-service",
        title: t("dash_subscribers_service"),
        caption: t("dash_subscribers_service"),
        labels: s.service.map((i) => labelOf("service_", i.key)),
        series: [{ key: "count", label: t("dash_arrears_accounts"), values: s.service.map((i) => i.count) }],
        summary: s.service.map((i) => labelOf("service_", i.key) + " " + i.count).join("，"),
        total: s.total,
      }),
    );
    const calls = data.calls;
    $("[data-chart=calls]").append(
      chart({
        name: "calls",
        title: t("dash_calls"),
        labels: calls.days.map((d) => d.day),
        short: (day) => day.slice(5),
        labelHeader: t("dash_col_day"),
        series: [{ key: "calls", label: t("dash_calls_series"), values: calls.days.map((d) => d.calls) }],
        line: { key: "minutes", label: t("dash_minutes_series"), values: calls.days.map((d) => d.minutes) },
        summary: t("dash_calls_total", { calls: calls.total_calls, minutes: calls.total_minutes }),
        total: calls.total_calls,
      }),
    );
    const rev = data.revenue;
    $("[data-chart=revenue]").append(
      chart({
        name: "revenue",
        title: t("dash_revenue"),
        labels: rev.months.map((m) => m.month),
        short: (m) => m.slice(2),
        labelHeader: t("dash_col_month"),
        series: [
          { key: "revenue", label: t("dash_revenue_series"), values: rev.months.map((m) => m.revenue_fen) },
          { key: "payments", label: t("dash_payments_series"), values: rev.months.map((m) => m.payments_fen) },
        ],
        format: yuan,
        summary: t("dash_revenue_series") + " " + yuan(rev.months.reduce((a, m) => a + m.revenue_fen, 0)) + "，" + t("dash_payments_series") + " " + yuan(rev.months.reduce((a, m) => a + m.payments_fen, 0)),
        total: rev.months.reduce((a, m) => a + m.revenue_fen, 0),
      }),
    );
    const arrears = data.arrears;
    $("[data-chart=arrears]").append(
      chart({
        name: "arrears",
        title: t("dash_arrears"),
        labels: arrears.buckets.map((b) => labelOf("arrears_bucket_", b.bucket)),
        series: [{ key: "overdue", label: t("dash_arrears_amount"), values: arrears.buckets.map((b) => b.overdue_fen) }],
        format: yuan,
        summary: arrears.buckets.map((b) => labelOf("arrears_bucket_", b.bucket) + " " + b.accounts + " / " + yuan(b.overdue_fen)).join("，"),
        total: arrears.accounts,
      }),
    );
    const disputes = data.disputes;
    $("[data-chart=disputes]").append(
      chart({
        name: "disputes",
        title: t("dash_disputes"),
        labels: disputes.counts.map((d) => t("dash_disputes_" + d.key)),
        series: [{ key: "count", label: t("dash_col_value"), values: disputes.counts.map((d) => d.count) }],
        summary: disputes.counts.map((d) => t("dash_disputes_" + d.key) + " " + d.count).join("，"),
        total: disputes.total,
      }),
    );
    $("[data-testid=dash-asof]").textContent = t("dash_lead", { at: formatDate(data.generated_at) });
    $("[data-testid=dashboard]").setAttribute("aria-busy", "false");
  }

  async function init() {
    render(await VP.api("GET", "/api/v1/console/dashboard"));
  }

  VP.pages["console-dashboard"] = () => init().catch(handlePageError);
})();
