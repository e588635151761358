/* global document, requestAnimationFrame, URLSearchParams, location, fetch -- a browser script */
// The dashboard's renderer: plain browser JavaScript drawing hand-written SVG, nothing fetched but the
// dashboard's own JSON. Three views: the list of counterexamples (and campaign summaries) of a directory; one
// run as lanes per replica with messages as arrows (a Lamport diagram) under the schedule's steps; and the
// client history as intervals per process with the linearizability checker's explanation highlighted.
"use strict"
;(() => {
  const svgNs = "http://www.w3.org/2000/svg"
  const app = document.getElementById("app")
  const el = (name, attributes = {}, children = []) => {
    const node = name.startsWith("svg:") ? document.createElementNS(svgNs, name.slice(4)) : document.createElement(name)
    for (const [key, value] of Object.entries(attributes)) {
      if (key === "text") node.textContent = value
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value)
      else node.setAttribute(key, String(value))
    }
    for (const child of children) if (child) node.appendChild(child)
    return node
  }
  const title = (text) => el("svg:title", { text })

  // The list ------------------------------------------------------------------------------------------------
  const renderList = (list) => {
    document.getElementById("title").textContent = list.directory
    app.replaceChildren()
    app.appendChild(el("h2", { text: `Counterexamples (${list.counterexamples.length})` }))
    const rows = list.counterexamples.map((entry) =>
      el("tr", { class: "counterexample" }, [
        el("td", {}, [el("a", { href: `?run=${encodeURIComponent(entry.file)}`, text: entry.file })]),
        el("td", { text: entry.scenario }),
        el("td", { text: entry.bugs.join(", ") || "-" }),
        el("td", { text: entry.invariant }),
        el("td", { text: String(entry.steps) }),
        el("td", {
          class: entry.stillFails ? "fails" : "passes",
          text: entry.stillFails ? "still fails" : "passes now"
        })
      ])
    )
    const header = ["file", "scenario", "bugs", "invariant", "steps", "still fails?"].map((text) => el("th", { text }))
    app.appendChild(el("table", { class: "list", id: "counterexamples" }, [el("tr", {}, header), ...rows]))
    for (const campaign of list.campaigns) {
      app.appendChild(
        el("h2", { text: `Campaign ${campaign.file}: ${campaign.runs} runs, ${campaign.violations} violations` })
      )
      const cells = ["scenario", "runs", "violations", "time ratio", "failing seeds"].map((text) => el("th", { text }))
      const lines = campaign.scenarios.map((entry) =>
        el("tr", {}, [
          el("td", { text: entry.scenario }),
          el("td", { text: String(entry.runs) }),
          el("td", { class: entry.violations > 0 ? "fails" : "", text: String(entry.violations) }),
          el("td", { text: entry.wallMs > 0 ? `${Math.round(entry.simulatedMs / entry.wallMs)}x` : "-" }),
          el("td", { text: entry.failingSeeds.join(" ") || "-" })
        ])
      )
      app.appendChild(el("table", { class: "list campaign" }, [el("tr", {}, cells), ...lines]))
    }
  }

  // One run ---------------------------------------------------------------------------------------------------
  const laneHeight = 44
  const top = 78
  const left = 64

  const renderRun = (run) => {
    document.getElementById("title").textContent =
      `${run.file} — ${run.scenario}${run.bugs.length ? ` (bugs: ${run.bugs.join(", ")})` : ""}`
    const kinds = [...new Set(run.arrows.map((arrow) => arrow.kind))].sort()
    const shown = new Set(kinds.filter((kind) => kind !== "Heartbeat"))
    // The page opens on what led to the violation (run.focus), as wide as the window allows; the drawing's whole
    // width stays bounded (a long run zoomed onto a few milliseconds would be millions of pixels wide).
    const available = Math.max(600, (app.clientWidth || 1300) - left - 60)
    const widest = 200000 / run.endMs
    let scale = Math.min(widest, available / Math.max(1, run.focus.toMs - run.focus.fromMs))
    const x = (ms) => left + ms * scale
    const width = () => left + run.endMs * scale + 40

    const summary = el("div", { class: "summary" }, [
      run.violation
        ? el("span", {
            class: "violation",
            text: `VIOLATION ${run.violation.invariant} at ${run.violation.atMs} ms: ${run.violation.message}`
          })
        : el("span", { text: `No longer fails (recorded: ${run.recorded.invariant} at ${run.recorded.atMs} ms)` })
    ])
    const lanes = el("div", { class: "scroller", id: "lanes-scroller" })
    const history = el("div", { class: "scroller", id: "history-scroller" })
    const redraw = () => {
      lanes.replaceChildren(drawLanes(run, shown, x, width()))
      history.replaceChildren(drawHistory(run, x, width()))
      pin()
    }
    const focus = () => {
      const target = Math.max(0, x(run.focus.fromMs) - left)
      lanes.scrollLeft = target
      history.scrollLeft = target
    }
    const zoom = (factor) => {
      scale = Math.min(widest * 4, scale * factor)
      redraw()
      focus()
    }
    const pin = () => {
      for (const group of document.querySelectorAll("g.pinned"))
        group.setAttribute("transform", `translate(${lanes.scrollLeft} 0)`)
    }
    lanes.addEventListener("scroll", () => {
      history.scrollLeft = lanes.scrollLeft
      pin()
    })
    history.addEventListener("scroll", () => {
      if (lanes.scrollLeft !== history.scrollLeft) lanes.scrollLeft = history.scrollLeft
    })
    const filters = kinds.map((kind) =>
      el("label", {}, [
        el("input", {
          type: "checkbox",
          class: "kind-filter",
          "data-kind": kind,
          ...(shown.has(kind) ? { checked: "" } : {}),
          onchange: (event) => {
            if (event.target.checked) shown.add(kind)
            else shown.delete(kind)
            redraw()
          }
        }),
        document.createTextNode(` ${kind}`)
      ])
    )
    const controls = el("div", { class: "controls" }, [
      el("strong", { text: "messages:" }),
      ...filters,
      el("button", { id: "zoom-in", text: "zoom +", onclick: () => zoom(2) }),
      el("button", { id: "zoom-out", text: "zoom −", onclick: () => zoom(0.5) }),
      el("button", {
        id: "zoom-fit",
        text: "whole run",
        onclick: () => {
          scale = available / run.endMs
          redraw()
        }
      }),
      el("button", { id: "jump", text: "jump to what led to the violation", onclick: focus })
    ])
    const legend = el("div", { class: "legend" }, [
      el("span", { style: "background:#e8ecf1", text: "follower" }),
      el("span", { style: "background:#fff3c4", text: "precandidate" }),
      el("span", { style: "background:#ffd8a8", text: "candidate" }),
      el("span", { style: "background:#b7e4c7", text: "leader" }),
      el("span", { style: "background:#2d3748;color:#fff", text: "down" }),
      el("span", { style: "background:#cbd5e0", text: "paused" }),
      el("span", { style: "background:#fbd5d5", text: "cut / isolated" }),
      el("span", { style: "background:#e4dcf5", text: "clogged" }),
      document.createTextNode(" arrows:"),
      el("span", { style: "color:#dd6b20", text: "(Pre)Vote" }),
      el("span", { style: "color:#c05621", text: "reply" }),
      el("span", { style: "color:#2b6cb0", text: "Append" }),
      el("span", { style: "color:#38a169", text: "AppendOk" }),
      el("span", { style: "color:#9b2c2c", text: "AppendRefused" }),
      el("span", { style: "color:#a0aec0", text: "heartbeat" }),
      document.createTextNode(
        " marks: blue tick = persist, green dot = apply, orange dot = election timeout, dashed red ✕ = dropped"
      )
    ])
    app.replaceChildren(
      summary,
      el("h2", { text: "Replicas and messages" }),
      controls,
      legend,
      lanes,
      el("h2", { text: "Client history" }),
      el("div", { class: "legend" }, [
        el("span", { style: "background:#9ae6b4", text: "longest linearizable prefix" }),
        el("span", { style: "background:#feb2b2", text: "could not be placed next" }),
        el("span", { style: "border:2px solid #dd6b20", text: "minimal core" }),
        el("span", { style: "background:#cbd5e0", text: "other" }),
        document.createTextNode(" #n = the operation's number in the checker's explanation below")
      ]),
      history,
      el("pre", { class: "explanation", id: "explanation", text: run.explanation || "" }),
      drawTextTimeline(run)
    )
    redraw()
    requestAnimationFrame(focus)
  }

  const laneY = (node) => top + node * laneHeight + laneHeight / 2

  const drawLanes = (run, shown, x, width) => {
    const height = top + run.replicas * laneHeight + 24
    const svg = el("svg:svg", { width, height, id: "lanes" })
    const defs = el("svg:defs", {}, [
      el(
        "svg:marker",
        {
          id: "head",
          viewBox: "0 0 10 10",
          refX: 9,
          refY: 5,
          markerWidth: 6,
          markerHeight: 6,
          orient: "auto-start-reverse"
        },
        [el("svg:path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#4a5568" })]
      )
    ])
    svg.appendChild(defs)
    // Time axis: a tick per round number of ms that leaves ~100 px between labels.
    const stepMs =
      [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000].find((ms) => x(ms) - x(0) >= 100) || 20000
    for (let ms = 0; ms <= run.endMs; ms += stepMs) {
      svg.appendChild(el("svg:line", { x1: x(ms), x2: x(ms), y1: top - 6, y2: height - 18, stroke: "#edf0f3" }))
      svg.appendChild(el("svg:text", { x: x(ms) + 2, y: height - 6, text: `${ms} ms` }))
    }
    // The schedule's steps on top.
    run.steps.forEach((step, index) => {
      const group = el("svg:g", { class: "step" }, [title(step.text)])
      group.appendChild(el("svg:line", { class: "step-tick", x1: x(step.atMs), x2: x(step.atMs), y1: 8, y2: top - 8 }))
      group.appendChild(
        el("svg:text", {
          class: "step-label",
          x: x(step.atMs) + 3,
          y: 18 + (index % 4) * 13,
          text: step.text.replace(/^at \d+ ms: /, "")
        })
      )
      svg.appendChild(group)
    })
    for (let node = 0; node < run.replicas; node += 1) {
      svg.appendChild(
        el("svg:g", { class: "lane", "data-node": node }, [
          el("svg:line", { x1: left, x2: width, y1: laneY(node), y2: laneY(node), stroke: "#cbd2da" })
        ])
      )
    }
    for (const band of run.bands) {
      const y = top + band.node * laneHeight + 8
      svg.appendChild(
        el(
          "svg:rect",
          {
            class: `band ${band.role}`,
            x: x(band.fromMs),
            y,
            width: Math.max(1, x(band.toMs) - x(band.fromMs)),
            height: laneHeight - 16
          },
          [title(`n${band.node} ${band.role} term ${band.term} from ${band.fromMs} to ${band.toMs} ms`)]
        )
      )
      if (x(band.toMs) - x(band.fromMs) > 40)
        svg.appendChild(
          el("svg:text", {
            class: "band-term",
            x: x(band.fromMs) + 3,
            y: y + 10,
            text: `${band.role === "leader" ? "L " : ""}t${band.term}`
          })
        )
    }
    for (const span of run.spans) {
      const y = top + span.node * laneHeight + 4
      svg.appendChild(
        el(
          "svg:rect",
          {
            class: `span ${span.kind}`,
            x: x(span.fromMs),
            y,
            width: Math.max(2, x(span.toMs) - x(span.fromMs)),
            height: laneHeight - 8
          },
          [title(`${span.text} (${span.fromMs}–${span.toMs} ms)`)]
        )
      )
    }
    for (const mark of run.marks) {
      const y = laneY(mark.node)
      const shape =
        mark.kind === "persist"
          ? el("svg:line", { class: `mark ${mark.kind}`, x1: x(mark.atMs), x2: x(mark.atMs), y1: y + 6, y2: y + 14 })
          : el("svg:circle", {
              class: `mark ${mark.kind}`,
              cx: x(mark.atMs),
              cy: y + (mark.kind === "timer" ? -10 : 10),
              r: mark.kind === "timer" ? 4 : 3
            })
      shape.appendChild(title(`${mark.atMs} ms: ${mark.text}`))
      svg.appendChild(shape)
    }
    for (const arrow of run.arrows) {
      if (!shown.has(arrow.kind)) continue
      const dropped = arrow.dropped !== null
      const y2 = dropped ? (laneY(arrow.from) + laneY(arrow.to)) / 2 : laneY(arrow.to)
      const line = el(
        "svg:line",
        {
          class: `arrow ${arrow.kind}${dropped ? " dropped" : ""}`,
          x1: x(arrow.sentAtMs),
          y1: laneY(arrow.from),
          x2: x(arrow.atMs),
          y2,
          ...(dropped ? {} : { "marker-end": "url(#head)" })
        },
        [
          title(
            `${arrow.sentAtMs}→${arrow.atMs} ms: ${arrow.text}${dropped ? ` — dropped (${arrow.dropped})` : ""}${arrow.heldMs > 0 ? ` — held ${arrow.heldMs} ms by a clog` : ""}`
          )
        ]
      )
      svg.appendChild(line)
      if (dropped) svg.appendChild(el("svg:text", { x: x(arrow.atMs) - 3, y: y2 + 4, fill: "#e53e3e", text: "×" }))
    }
    if (run.violation) {
      const vx = x(run.violation.atMs)
      svg.appendChild(
        el("svg:g", { id: "violation-marker" }, [
          el("svg:line", { x1: vx, x2: vx, y1: top - 10, y2: height - 18 }),
          el("svg:text", { x: vx - 4, y: top - 2, "text-anchor": "end", text: `VIOLATION ${run.violation.invariant}` }),
          title(run.violation.message)
        ])
      )
    }
    svg.appendChild(
      pinnedLabels(
        height,
        Array.from({ length: run.replicas }, (_, node) => ({ y: laneY(node) + 4, text: `n${node}` }))
      )
    )
    return svg
  }

  // Lane labels stay in view while the drawing scrolls sideways (pin() moves them with the scroll position).
  const pinnedLabels = (height, labels) =>
    el("svg:g", { class: "pinned" }, [
      el("svg:rect", { x: 0, y: 0, width: left - 8, height, fill: "#fff", opacity: 0.92 }),
      ...labels.map((label) => el("svg:text", { class: "lane-label", x: 8, y: label.y, text: label.text }))
    ])

  // An operation's number (the checker's, as its explanation below writes it) and what it did, written on its
  // interval where it fits (about 6 px a character); just the number where only that fits.
  const opLabel = (operation, left, width, y) => {
    const full = `#${operation.id} ${operation.text}`
    const text =
      width > 6 * full.length + 8 ? full : width > 6 * String(operation.id).length + 14 ? `#${operation.id}` : ""
    return text === "" ? null : el("svg:text", { class: "op-label", x: left + 4, y, text })
  }

  const drawHistory = (run, x, width) => {
    const processes = [...new Set(run.operations.map((operation) => operation.process))].sort((a, b) => a - b)
    const rowHeight = 28
    const height = 20 + processes.length * rowHeight + 10
    const svg = el("svg:svg", { width, height, id: "history" })
    for (const operation of run.operations) {
      const row = processes.indexOf(operation.process)
      const end = operation.returnMs === null ? run.endMs : operation.returnMs
      const classes = [
        "op",
        operation.status,
        operation.prefix ? "prefix" : "",
        operation.blocking ? "blocking" : "",
        operation.core ? "core" : ""
      ]
      svg.appendChild(
        el("svg:g", { class: classes.join(" ").trim() }, [
          el("svg:rect", {
            x: x(operation.callMs),
            y: 20 + row * rowHeight,
            width: Math.max(3, x(end) - x(operation.callMs)),
            height: rowHeight - 6,
            rx: 2
          }),
          opLabel(
            operation,
            x(operation.callMs),
            x(end) - x(operation.callMs),
            20 + row * rowHeight + rowHeight / 2 + 1
          ),
          title(
            `p${operation.process} ${operation.callMs}–${operation.returnMs === null ? "?" : operation.returnMs} ms: ${operation.text}`
          )
        ])
      )
    }
    if (run.violation) {
      const vx = x(run.violation.atMs)
      svg.appendChild(el("svg:line", { x1: vx, x2: vx, y1: 10, y2: height, stroke: "#e00", "stroke-width": 2 }))
    }
    svg.appendChild(
      pinnedLabels(
        height,
        processes.map((process, row) => ({ y: 20 + row * rowHeight + rowHeight / 2 + 1, text: `p${process}` }))
      )
    )
    return svg
  }

  const drawTextTimeline = (run) => {
    const lines = run.timeline.filter((entry) => entry.kind !== "heartbeat").slice(0, 2000)
    const pre = el("pre", {
      class: "explanation",
      text: lines.map((entry) => `${String(entry.atMs).padStart(7)} ms  ${entry.text}`).join("\n")
    })
    return el("details", {}, [
      el("summary", { text: `Timeline as text (${lines.length} lines, heartbeats left out)` }),
      pre
    ])
  }

  const fail = (error) => app.replaceChildren(el("pre", { class: "explanation", text: String(error) }))

  const embedded = document.getElementById("run-data")
  const wanted = new URLSearchParams(location.search).get("run")
  if (embedded) renderRun(JSON.parse(embedded.textContent))
  else if (wanted)
    fetch(`api/run?file=${encodeURIComponent(wanted)}`)
      .then((response) => (response.ok ? response.json() : response.text().then((text) => Promise.reject(text))))
      .then(renderRun, fail)
  else
    fetch("api/list")
      .then((response) => response.json())
      .then(renderList, fail)
})()
