// The dashboard page: scenario picker and run controls on top; the YAML editor with its problems
// beside the topology graph and node form; the results of the last run below. The page opens on the
// URL's scenario (or the default one) and simulates it straight away. Whatever the text (a shared
// link is anyone's input), it is checked in the check worker, a failure of any part becomes a
// message on the page, and each view sits in an error boundary, so no text leaves it stuck.
import { lazy, startTransition, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Scenario, SeriesResult, SimResult } from "../../simulator/index.ts";
import { presets, defaultPreset } from "./scenarios.ts";
import type { Checked } from "./validate.ts";
import { errorText } from "./error-text.ts";
import { useChecked } from "./use-checked.ts";
import type { EditorHandle } from "./Editor.tsx";
import { SimClient, RunFailed, browserSimWorker, type Job, type Partial, type RunOutcome } from "./sim-client.ts";
import { firstRunOptions, takeFirstRun } from "./first-run.ts";
import { decodeScenario, encodeScenario } from "./url-state.ts";
import { download, resultJson, seriesCsv, summaryCsv } from "./export.ts";
import { num, eta } from "./format.ts";
import type { ValidationReport } from "./validation-file.ts";
import type { SweepResult } from "./sweep-file.ts";
import type { DynamicsDocument } from "./dynamics-file.ts";
import { actionFor } from "./shortcuts.ts";
import { ShortcutsHelp } from "./ShortcutsHelp.tsx";
import { ErrorBoundary } from "./ErrorBoundary.tsx";
import { Palette } from "./Palette.tsx";
import type { Gestures } from "./Topology.tsx";
import type { Edit } from "./build-edit.ts";
import { useChartTheme } from "./theme.ts";
import { PlainCharts } from "./PlainCharts.tsx";
import { Headline } from "./Summary.tsx";
import { PartialBanner } from "./PartialBanner.tsx";
import { liveSeries } from "./partial-point.ts";
import { downsample } from "./downsample.ts";

type RunState =
  | { readonly phase: "idle" }
  | { readonly phase: "running"; readonly progress: number; readonly startedAt: number; readonly job: Job<unknown> }
  | { readonly phase: "confirm"; readonly events: number; readonly budget: number }
  | { readonly phase: "cancelled"; readonly progress: number }
  | { readonly phase: "failed"; readonly kind: RunFailed["kind"]; readonly message: string };

interface Finished {
  readonly result: SimResult;
  /** Wall time of the run; null for a result opened from a file. */
  readonly elapsedMs: number | null;
  /** The editor text that was run; null for a result opened from a file. */
  readonly text: string | null;
  readonly fileName?: string;
  /** What the page says about an older result file (no scenario embedded). */
  readonly notice?: string | null;
  /** Every replication's series (a run made here), for the charts' 95% bands. */
  readonly replicationSeries?: readonly SeriesResult[];
}

// The editor (CodeMirror, the largest part of the page's code), the graph and the charts are
// separate chunks: the page mounts, and starts its run, before they are parsed; the first chart
// needs none of the editor's code.
const Editor = lazy(() => import("./Editor.tsx").then((m) => ({ default: m.Editor })));
const Topology = lazy(() => import("./Topology.tsx").then((m) => ({ default: m.Topology })));
const loadResults = () => import("./Results.tsx");
const loadLiveCharts = () => import("./LiveCharts.tsx");
const Results = lazy(() => loadResults().then((m) => ({ default: m.Results })));
const LiveCharts = lazy(() => loadLiveCharts().then((m) => ({ default: m.LiveCharts })));
const ValidationView = lazy(() => import("./Validation.tsx").then((m) => ({ default: m.ValidationView })));
const SweepView = lazy(() => import("./Sweep.tsx").then((m) => ({ default: m.SweepView })));
const DynamicsView = lazy(() => import("./DynamicsView.tsx").then((m) => ({ default: m.DynamicsView })));
const loadNodeForm = () => import("./NodeForm.tsx");
const NodeForm = lazy(() => loadNodeForm().then((m) => ({ default: m.NodeForm })));
// The YAML library (and the simulator's model, which the file readers use) stay off the page's
// first load: the gestures' edits and the draft graph load once the graph is drawn, the readers
// when a file is opened.
const loadBuildEdit = () => import("./build-edit.ts");
const loadDraft = () => import("./draft.ts");
const loadReaders = () => Promise.all([import("./result-file.ts"), import("./validation-file.ts"), import("./sweep-file.ts"), import("./dynamics-file.ts")]);

/** What a file is opened as: the picker chosen says so; a dropped file is told by its schema. */
type FileKind = "result" | "validation" | "dropped";
const FILE_ERROR_TITLE: Record<FileKind, string> = { result: "Cannot open the result:", validation: "Cannot open the validation report:", dropped: "Cannot open the file:" };

/** The largest text drawn as a draft (a model built by hand is a few KB). */
const DRAFT_MAX_CHARS = 64 * 1024;

export function App() {
  // The default scenario's run, when the entry module started it before the page loaded (main.tsx).
  const [firstRun] = useState(takeFirstRun);
  const [text, setText] = useState<string | null>(firstRun?.text ?? null);
  const [run, setRun] = useState<RunState>({ phase: "idle" });
  /** Replication 0's intervals so far while a run goes on (the worker streams them). */
  const [partial, setPartial] = useState<Partial | null>(null);
  const [finished, setFinished] = useState<Finished | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [presetId, setPresetId] = useState<string>(firstRun ? defaultPreset.id : "");
  const [linkError, setLinkError] = useState<string | null>(null);
  // The page's first run (a bundled scenario, started at mount or before it) until its first chart
  // is drawn: the simulation worker checks the text too (supplied), so no check worker starts, and
  // the editor (CodeMirror) and the graph wait, so that the run and the chart have the two cores.
  // Set from the first render when the run was started before the page: a render without it would
  // fetch the editor and start the check worker.
  const [warming, setWarming] = useState(firstRun !== null);
  const [supplied, setSupplied] = useState<Checked | null>(null);
  const checked = useChecked(text, warming, supplied);
  // Charts take their colors at render: a switch of the system's theme draws them again.
  const theme = useChartTheme();
  const [copied, setCopied] = useState(false);
  const [fileError, setFileError] = useState<{ title: string; message: string } | null>(null);
  const [report, setReport] = useState<{ report: ValidationReport; fileName: string } | null>(null);
  const [sweep, setSweep] = useState<{ sweep: SweepResult; fileName: string } | null>(null);
  const [dyn, setDyn] = useState<{ doc: DynamicsDocument; fileName: string } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const reportInput = useRef<HTMLInputElement>(null);
  const reportView = useRef<HTMLDivElement>(null);
  const client = useMemo(() => firstRun?.client ?? new SimClient(browserSimWorker), [firstRun]);
  const editor = useRef<EditorHandle | null>(null);
  const autoRun = useRef(true);
  /** The early first run (firstRun) has been taken over by launch: a later run is a new one. */
  const adopted = useRef(false);
  const resultsView = useRef<HTMLDivElement>(null);
  /** Scroll to the results once the run that asked for it has rendered them. */
  const revealResults = useRef(false);
  // The last scenario that checked clean: a typo keeps its graph on screen, greyed, with the error.
  const lastValid = useRef<Scenario | null>(null);
  // Building by hand: after a gesture leaves the model incomplete (a balancer without backends),
  // the canvas draws the draft from the text instead, until the model checks again.
  const building = useRef(false);
  // Only a check of the text now in the editor counts: one of the text before a menu choice would
  // bring the previous model back as this one's last valid graph.
  if (checked?.scenario && checked.text === text) {
    lastValid.current = checked.scenario;
    building.current = false;
  }
  const [buildMessage, setBuildMessage] = useState<string | null>(null);

  useEffect(() => () => client.dispose(), [client]);

  // Open on the URL's scenario, else the default one (already there when its run started early).
  useEffect(() => {
    if (firstRun) return;
    decodeScenario(location.hash)
      .then((t) => {
        if (t !== null) setText(t);
        else { setText(defaultPreset.text); setPresetId(defaultPreset.id); }
      })
      .catch((e: unknown) => { setLinkError(e instanceof Error ? e.message : errorText(e)); setText(defaultPreset.text); setPresetId(defaultPreset.id); });
  }, [firstRun]);

  // Keep the scenario in the URL so that a reload or a shared link restores it.
  useEffect(() => {
    if (text === null) return;
    const t = setTimeout(() => {
      void encodeScenario(text).then((h) => history.replaceState(null, "", `#${h}`));
    }, 300);
    return () => clearTimeout(t);
  }, [text]);

  // Runs `runText`. The worker estimates the run's size from its own parse and answers "too-big"
  // above the page's budget (unless forced), so a run needs no check on this thread first.
  // withCheck: the worker checks the text too (a bundled scenario's run, started beside its check).
  const launch = useCallback((runText: string, force: boolean, withCheck = false) => {
    setFileError(null);
    let progress = 0;
    setPartial(null);
    // Not a transition: the progress updates every 50 ms would keep interrupting it (LiveCharts keeps it cheap instead)
    const onProgress = (f: number) => { progress = f; setRun((r) => (r.phase === "running" ? { ...r, progress: f } : r)); };
    // The first run of the default scenario may have been started before the page (main.tsx): taken over.
    const early = withCheck && !force && firstRun !== null && !adopted.current && firstRun.text === runText ? firstRun : null;
    let job: Job<RunOutcome>;
    if (early) {
      adopted.current = true;
      job = early.job;
      early.attach({ onProgress, onPartial: setPartial, onChecked: setSupplied });
    } else {
      const options = withCheck ? firstRunOptions(force) : { hops: true, bands: true, ...(force ? {} : { budget: true }) };
      job = client.run(runText, options, onProgress, setPartial, withCheck ? setSupplied : undefined);
    }
    setRun({ phase: "running", progress: 0, startedAt: performance.now(), job });
    // A later run's charts' code is fetched and parsed while the worker starts and runs, not after
    // its first answer (the modules are cached: the lazy components above get the same ones). The
    // page's first run draws its first charts by hand (PlainCharts) and leaves recharts to after
    // them: its 385 kB would compete with the worker's start for the two cores. The results' code
    // (which brings the simulator's, for the bands' t quantiles) comes after the first chart.
    if (!early) void loadLiveCharts().catch(() => {});
    job.done.finally(() => setPartial(null)).catch(() => {});
    job.done.then(
      ({ result, elapsedMs, replicationSeries }) => {
        setRun({ phase: "idle" });
        revealResults.current = true;
        // Rendering six charts takes a few hundred ms; as a transition React renders it in slices
        // and the page keeps answering input meanwhile.
        startTransition(() => setFinished({ result, elapsedMs, text: runText, replicationSeries }));
      },
      (e: RunFailed) => setRun(
        e.kind === "cancelled" ? { phase: "cancelled", progress }
          : e.kind === "too-big" ? { phase: "confirm", events: e.events ?? Number.NaN, budget: e.budget ?? Number.NaN }
          : { phase: "failed", kind: e.kind, message: e.message }),
    );
  }, [client, firstRun]);

  const start = useCallback((force = false) => {
    if (!checked || !checked.scenario || text === null || checked.text !== text) return;
    if (run.phase === "running") return;
    launch(text, force);
  }, [checked, text, run.phase, launch]);

  // The first chart is mounted (a partial one or the results), or the run ended without one: the
  // editor and the graph mount once a chart's line is on screen (the charts draw their lines a
  // frame or more after they mount, once measured), when the page's thread is next idle, and as a
  // transition, so that the run's next intervals are drawn before them. Traced before this, they
  // mounted in the same 0.8 s task as the first chart's line, and so delayed it by 0.5 s.
  const chartShown = partial !== null || finished !== null || run.phase !== "running";
  useEffect(() => {
    if (!warming || !chartShown) return;
    const end = () => { startTransition(() => setWarming(false)); void loadResults().catch(() => {}); void loadLiveCharts().catch(() => {}); };
    let frame = 0;
    let idle = 0;
    let frames = 0;
    const drawn = () => run.phase !== "running" || !!document.querySelector(".results path.recharts-line-curve, .results path.plain-line");
    const wait = () => {
      // at most about a second of frames: a chart that draws no line must not hold the editor back
      if (!drawn() && ++frames < 60) { frame = requestAnimationFrame(wait); return; }
      if (typeof requestIdleCallback === "function") idle = requestIdleCallback(end, { timeout: 500 });
      else frame = requestAnimationFrame(end);
    };
    frame = requestAnimationFrame(wait);
    return () => { cancelAnimationFrame(frame); if (idle) cancelIdleCallback(idle); };
  }, [warming, chartShown, run.phase]);

  // After a run, its results come first: scrolled to the top of the page, below the top bar.
  useEffect(() => {
    if (!revealResults.current || !finished) return;
    revealResults.current = false;
    const t = setTimeout(() => resultsView.current?.scrollIntoView({ block: "start" }), 30);
    return () => clearTimeout(t);
  }, [finished]);

  // The first valid scenario the page sees (and each one chosen from the menu) is simulated without
  // a click. A bundled scenario (the default, the menu's) is known to check clean, so it starts at
  // once, beside its check, instead of after it: on first load that is the check worker's start and
  // answer off the way to the first chart. Any other text (a link's) runs once it has checked clean.
  useEffect(() => {
    if (!autoRun.current || text === null || run.phase === "running") return;
    if (presets.some((p) => p.text === text)) {
      autoRun.current = false;
      if (checked === null) setWarming(true);
      // the simulation worker (already started) answers its check too: the graph of a scenario
      // chosen from the menu comes with the run's start, not after the check worker's own start
      launch(text, false, true);
    } else if (checked && checked.text === text) {
      autoRun.current = false;
      if (checked.scenario) start();
    }
  }, [checked, text, start, launch, run.phase]);

  const openFile = async (file: File, kind: FileKind) => {
    let title = FILE_ERROR_TITLE[kind];
    try {
      const text = await file.text();
      const [{ readResultFile }, { readValidationReport, parseJson, schemaOf }, { readSweepResult }, { readDynamicsReport }] = await loadReaders();
      // "Open validation…" takes both kinds of report: a dynamic one says so by its schema
      const claimed = schemaOf(parseJson(text, file.name)) ?? "";
      const asReport = kind === "validation" || (kind === "dropped" && claimed.startsWith("headroom.validation/"));
      if (claimed.startsWith("headroom.dynamics/")) {
        // A dynamic validation (validate:dynamics --out) is a context of its own, as a report is.
        title = FILE_ERROR_TITLE.validation;
        const doc = readDynamicsReport(text, file.name);
        setFileError(null);
        setReport(null);
        setSweep(null);
        setDyn({ doc, fileName: file.name });
        window.scrollTo(0, 0);
      } else if (claimed.startsWith("headroom.sweep/")) {
        setDyn(null);
        // A sweep is its own context too: many scenarios' figures, none of them the editor's.
        title = "Cannot open the sweep:";
        const sw = readSweepResult(text, file.name);
        setFileError(null);
        setReport(null);
        setSweep({ sweep: sw, fileName: file.name });
        window.scrollTo(0, 0);
      } else if (asReport) {
        title = FILE_ERROR_TITLE.validation;
        const r = readValidationReport(text, file.name);
        setFileError(null);
        setDyn(null);
        // A report is its own context: it replaces the workbench and its results until closed.
        setSweep(null);
        setReport({ report: r, fileName: file.name });
        window.scrollTo(0, 0);
      } else {
        title = FILE_ERROR_TITLE.result;
        const { result, yaml, notice } = readResultFile(text, file.name);
        setFileError(null);
        setDyn(null);
        setReport(null);
        setSweep(null);
        if (run.phase === "running") run.job.cancel();
        autoRun.current = false;
        // One context: the result's own scenario goes into the editor and the graph with its numbers.
        if (yaml !== null) { setText(yaml); setPresetId(""); setSelected(null); lastValid.current = null; building.current = false; }
        setFinished({ result, elapsedMs: null, text: yaml, fileName: file.name, notice });
        revealResults.current = true;
      }
    } catch (e) {
      setFileError({ title, message: (e as Error).message });
    }
  };

  // A result file or validation report dropped anywhere on the page is opened; while a file is
  // dragged over the page, an overlay says what dropping it does. Enter and leave fire for every
  // element crossed, so the overlay follows a count of them.
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  useEffect(() => {
    const files = (e: DragEvent) => !!e.dataTransfer?.types.includes("Files");
    const enter = (e: DragEvent) => { if (files(e)) { dragDepth.current++; setDragging(true); } };
    const leave = (e: DragEvent) => { if (files(e) && --dragDepth.current <= 0) { dragDepth.current = 0; setDragging(false); } };
    const over = (e: DragEvent) => { if (files(e)) e.preventDefault(); };
    const drop = (e: DragEvent) => {
      dragDepth.current = 0;
      setDragging(false);
      const f = e.dataTransfer?.files[0];
      if (!f) return;
      e.preventDefault();
      void openFile(f, "dropped");
    };
    window.addEventListener("dragenter", enter);
    window.addEventListener("dragleave", leave);
    window.addEventListener("dragover", over);
    window.addEventListener("drop", drop);
    return () => {
      window.removeEventListener("dragenter", enter);
      window.removeEventListener("dragleave", leave);
      window.removeEventListener("dragover", over);
      window.removeEventListener("drop", drop);
    };
  });

  // Keyboard shortcuts (shortcuts.ts): one listener, the actions bound to what the buttons do.
  const [help, setHelp] = useState(false);
  const onKey = useRef<(e: KeyboardEvent) => void>(() => {});
  onKey.current = (e: KeyboardEvent) => {
    const action = actionFor({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, target: e.target as HTMLElement | null });
    if (!action) return;
    if (action === "escape") {
      if (help) setHelp(false);
      else if (run.phase === "running") run.job.cancel();
      else if (dyn) setDyn(null);
      else if (sweep) setSweep(null);
      else if (report) setReport(null);
      else return;
    } else if (action === "help") setHelp((h) => !h);
    else if (action === "run") start();
    else if (action === "open-result") fileInput.current?.click();
    else if (action === "open-validation") reportInput.current?.click();
    else if (action === "copy-link") void copyLink();
    else if (action === "focus-editor") editor.current?.focus();
    else if (action === "export-json") { if (finished) download(`${finished.result.scenario.name}.result.json`, resultJson(finished.result), "application/json"); }
    e.preventDefault();
  };
  useEffect(() => {
    const h = (e: KeyboardEvent) => onKey.current(e);
    window.addEventListener("keydown", h);
    return () => window.removeEventListener("keydown", h);
  }, []);

  const copyLink = async () => {
    if (text === null) return;
    // Encode now rather than trust the debounced address bar: the last keystroke may not be in it yet.
    const url = `${location.href.split("#")[0]}#${await encodeScenario(text)}`;
    history.replaceState(null, "", url);
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      window.prompt("Copy this link:", url);
    }
  };

  const choosePreset = (id: string) => {
    const p = presets.find((x) => x.id === id);
    if (!p) return;
    // Another model: no greyed graph of the previous one (an empty canvas is drawn as a draft).
    lastValid.current = null;
    building.current = false;
    setBuildMessage(null);
    setPresetId(id);
    setText(p.text);
    setSelected(null);
    // Another model: the last run's numbers would be read as this one's.
    setFinished(null);
    setFileError(null);
    setReport(null); // back to the workbench: a report is another context
    // Chosen from the menu, it is simulated as on first load, once its text has been checked.
    if (run.phase === "running") run.job.cancel();
    else if (run.phase !== "idle") setRun({ phase: "idle" });
    autoRun.current = true;
  };

  const valid = !!checked?.scenario && checked.text === text;
  const stale = finished !== null && finished.text !== null && finished.text !== text;
  const problems = checked?.diagnostics ?? [];
  // Utilization is drawn on the graph only while the result is of a model with this name.
  const sameModel = finished !== null && !!checked?.scenario && finished.result.scenario.name === checked.scenario.name;
  // A text that does not check keeps the last valid scenario's graph, greyed, with its first error.
  // While building by hand (or with no valid model yet, as on an empty canvas) it draws the draft.
  const invalidNow = !!checked && !checked.scenario && checked.text === text;
  // Only a text the checker could read as YAML (no syntax error, bomb or over-deep nesting) and of a
  // size built by hand is read again on this thread for the draft.
  // Right after a gesture, before its text is checked, the draft is drawn from the text at once.
  const pendingGesture = building.current && !!checked && checked.text !== text;
  const draftMode = text !== null && text.length <= DRAFT_MAX_CHARS && (pendingGesture
    || (invalidNow && (building.current || lastValid.current === null) && !checked?.failure && !problems.some((d) => d.message.startsWith("YAML"))));
  const [drafts, setDrafts] = useState<Awaited<ReturnType<typeof loadDraft>> | null>(null);
  // the graph's code is there (or coming): the edits', the draft's and the node form's come with it,
  // so that a node's first click opens its form at once (e2e: within 2 s, with a run going on)
  useEffect(() => {
    if (warming) return;
    void loadDraft().then(setDrafts, () => {});
    void loadBuildEdit().catch(() => {});
    void loadNodeForm().catch(() => {});
  }, [warming]);
  const draft = useMemo(() => (draftMode && text !== null && drafts ? drafts.draftGraph(text) : null), [draftMode, text, drafts]);
  const greyed = invalidNow && !draft && lastValid.current !== null;
  const graphScenario = checked?.scenario ?? lastValid.current;

  // Each gesture on the canvas is one edit of the text (build-edit.ts); the canvas redraws from it.
  const textRef = useRef(text);
  textRef.current = text;
  const gestures = useMemo<Gestures>(() => {
    type Edits = Awaited<ReturnType<typeof loadBuildEdit>>;
    // the module is loaded by the time the graph takes gestures (above); the edits keep their order
    const apply = (edit: (m: Edits, t: string) => Edit) => loadBuildEdit().then((m) => {
      const t = textRef.current;
      if (t === null) return;
      const e = edit(m, t);
      if (!e.ok) { setBuildMessage(e.message); return; }
      setBuildMessage(null);
      if (e.text === t) return;
      building.current = true;
      setText(e.text);
    }, (err: unknown) => setBuildMessage(`the edit could not be made: ${errorText(err)}`));
    return {
      onAdd: (kind, at, positions) => void apply((m, t) => m.addComponent(t, kind, at, positions)),
      onConnect: (source, target) => void apply((m, t) => m.connect(t, source, target)),
      onDeleteNode: (id) => { void apply((m, t) => m.removeComponent(t, id)); setSelected((s) => (s === id ? null : s)); },
      onDeleteEdge: (source, target) => void apply((m, t) => m.disconnect(t, source, target)),
      onMove: (positions) => void apply((m, t) => m.moveNodes(t, positions)),
    };
  }, []);

  return (
    <div className="app">
      {dragging && (
        <div className="drop-overlay" data-testid="drop-overlay">
          <div>Drop to open a <strong>validation report</strong> (headroom validate --out DIR), a <strong>result</strong> (headroom simulate --json) or a <strong>sweep</strong> (headroom sweep --json FILE)</div>
        </div>
      )}
      <header className="topbar">
        <div className="brand">Headroom<span>capacity simulator</span></div>
        <select value={presetId} onChange={(e) => choosePreset(e.target.value)} aria-label="open a scenario" data-testid="preset">
          <option value="" disabled>Open scenario…</option>
          <optgroup label="scenarios/">
            {presets.filter((p) => p.group === "scenario").map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
          </optgroup>
          <optgroup label="Templates">
            {presets.filter((p) => p.group === "template").map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
          </optgroup>
        </select>
        {run.phase === "running" ? (
          <>
            <button className="btn danger" onClick={() => run.job.cancel()} data-testid="cancel">Cancel</button>
            <div className="progress" data-testid="progress" role="progressbar" aria-valuenow={Math.round(run.progress * 100)}>
              <div style={{ width: `${run.progress * 100}%` }} />
              <span>{(run.progress * 100).toFixed(0)}%</span>
            </div>
            <span className="muted eta" data-testid="eta">{eta(run.progress, performance.now() - run.startedAt)}</span>
          </>
        ) : (
          <button className="btn primary" onClick={() => start()} disabled={!valid} data-testid="run" title="Run the simulation (r, or Ctrl+Enter anywhere)">
            ▶ Run
          </button>
        )}
        <div className="status" data-testid="status">
          {checked === null ? "loading…" : checked.failure ? <span className="bad">not checked</span> : checked.errors > 0 ? <span className="bad">{checked.errors} problem{checked.errors === 1 ? "" : "s"} in the YAML</span> : <span className="ok">valid scenario</span>}
        </div>
        <div className="spacer" />
        <button className="btn-ghost" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)" data-testid="shortcuts-button">?</button>
        <button className="btn-ghost" onClick={() => void copyLink()} title="Copy a link that carries this scenario (it is also in the address bar) (l)">{copied ? "Copied ✓" : "Copy link"}</button>
        <button className="btn-ghost" onClick={() => fileInput.current?.click()} title="Open a result JSON written by headroom simulate --json, or a sweep written by headroom sweep --json FILE (or drop it on the page) (o)">Open result…</button>
        <input ref={fileInput} type="file" accept=".json,application/json" hidden data-testid="open-result"
          onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ""; if (f) void openFile(f, "result"); }} />
        <button className="btn-ghost" onClick={() => reportInput.current?.click()} data-testid="open-validation-button"
          title="Open the JSON report headroom validate --out DIR writes (DIR/<scenario>.json), or drop it on the page: predicted and measured curves overlaid, errors against the targets (v)">Open validation…</button>
        <input ref={reportInput} type="file" accept=".json,application/json" hidden data-testid="open-validation"
          onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ""; if (f) void openFile(f, "validation"); }} />
        <button className="btn-ghost" disabled={!finished} onClick={() => finished && download(`${finished.result.scenario.name}.result.json`, resultJson(finished.result), "application/json")} data-testid="export-json" title="Download the result as JSON, the CLI's headroom.result/v3 with its scenario (j)">JSON</button>
        <button className="btn-ghost" disabled={!finished} onClick={() => finished && download(`${finished.result.scenario.name}.series.csv`, seriesCsv(finished.result), "text/csv")} data-testid="export-csv">CSV series</button>
        <button className="btn-ghost" disabled={!finished} onClick={() => finished && download(`${finished.result.scenario.name}.summary.csv`, summaryCsv(finished.result), "text/csv")}>CSV summary</button>
      </header>

      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
      {fileError && (
        <div className="banner bad" data-testid="file-error">
          <strong>{fileError.title}</strong> <span>{fileError.message}</span>
          <button className="btn-ghost" onClick={() => setFileError(null)}>dismiss</button>
        </div>
      )}
      {finished?.fileName && !report && (
        <div className="banner info-top" data-testid="file-banner">
          Showing <strong>{finished.fileName}</strong> ({finished.result.scenario.name}, seed {finished.result.run.seed}), a result opened from a file
          {finished.text !== null ? " with the scenario it embeds (in the editor). Run to simulate it here." : ". Run to simulate the editor's scenario instead."}
          {finished.notice && <div className="notice" data-testid="file-notice">Note: {finished.notice}.</div>}
        </div>
      )}
      {linkError && <div className="banner bad" data-testid="link-error">This link's scenario could not be read: {linkError}. Showing the default scenario instead.</div>}
      {checked?.failure && checked.text === text && <div className="banner bad" data-testid="check-error"><strong>Not checked: </strong><span className="pre">{checked.failure}</span></div>}
      {run.phase === "confirm" && (
        <div className="banner warn" data-testid="confirm">
          This run is estimated at about {num(run.events)} events (budget {num(run.budget)}); it may take minutes. Shorten
          simulation.duration or lower the replications, or
          <button className="btn" onClick={() => start(true)}>run it anyway</button>
          <button className="btn-ghost" onClick={() => setRun({ phase: "idle" })}>dismiss</button>
        </div>
      )}
      {run.phase === "cancelled" && (
        <div className="banner warn" data-testid="cancelled">
          <strong>Cancelled</strong> at {(run.progress * 100).toFixed(0)}%: nothing was kept from that run. Press Run to start again.
          <button className="btn-ghost" onClick={() => setRun({ phase: "idle" })}>dismiss</button>
        </div>
      )}
      {run.phase === "failed" && (
        <div className={`banner ${run.kind === "unsupported" ? "warn" : "bad"}`} data-testid="run-error">
          <strong>{run.kind === "unsupported" ? "Not simulated yet: " : run.kind === "invalid" ? "Invalid scenario: " : "The run failed: "}</strong>
          <span className="pre">{run.message}</span>
          {run.kind === "unsupported" && <span> The topology is drawn; see docs/scenario-format.md for what the simulator runs.</span>}
        </div>
      )}

      {/* A validation report is its own view: the workbench and its results stay mounted (the
          editor keeps its text) but hidden until the report is closed. */}
      <div hidden={!!report || !!sweep || !!dyn} data-testid="workbench-view">
      <main className="workbench">
        <section className="panel editor-panel">
          <div className="panel-head"><h2>Scenario</h2><span className="muted">YAML · docs/scenario-format.md · Ctrl+Enter runs</span></div>
          <ErrorBoundary what="The editor" resetKey={presetId}>
            {text !== null && warming && <pre className="editor-plain" data-testid="editor-loading">{text}</pre>}
            {text !== null && !warming && (
              <Suspense fallback={<div className="empty" data-testid="editor-loading">Loading the editor…</div>}>
                <Editor text={text} diagnostics={problems} onChange={setText} onRun={() => start()} handle={editor} />
              </Suspense>
            )}
          </ErrorBoundary>
          <ul className="problems" data-testid="problems">
            {problems.length === 0 && <li className="muted">No problems.</li>}
            {problems.map((d, i) => (
              <li key={i} className={d.severity} onClick={() => editor.current?.goto(d.line)}>
                <span className="line">line {d.line}</span> {d.message}
              </li>
            ))}
            {checked && checked.errors > problems.length && <li className="muted">… and {num(checked.errors - problems.length)} more</li>}
          </ul>
        </section>
        <section className="panel topo-panel">
          <div className="panel-head"><h2>Topology</h2><span className="muted">{sameModel ? (stale ? "utilization from the previous run" : "colored by utilization") : "run to color by utilization"} · click a node to edit · drag between handles to connect · Delete removes</span></div>
          <Palette disabled={greyed} />
          <div className="topo-body">
            <div className={`topo-canvas${greyed ? " greyed" : ""}`} data-testid="topology">
              <ErrorBoundary what="The topology" resetKey={checked}>
                <Suspense fallback={<div className="empty">Loading the graph…</div>}>
                  {warming ? <div className="empty">Loading the graph…</div> : <Topology scenario={graphScenario} draft={draft} result={sameModel && !greyed && !draft ? finished.result : null} selected={selected} onSelect={setSelected} gestures={greyed ? undefined : gestures} />}
                </Suspense>
              </ErrorBoundary>
              {draft && invalidNow && (
                <div className="topo-draft" data-testid="topology-draft">
                  <strong>Draft</strong>: {num(checked?.errors ?? 0)} problem{checked?.errors === 1 ? "" : "s"} before it runs
                  {problems[0] && <span className="pre" onClick={() => editor.current?.goto(problems[0].line)}> · line {problems[0].line}: {problems[0].message}</span>}
                </div>
              )}
              {buildMessage && (
                <div className="topo-build-message" data-testid="build-message">
                  {buildMessage} <button className="btn-ghost" onClick={() => setBuildMessage(null)}>dismiss</button>
                </div>
              )}
              {greyed && (
                <div className="topo-error" data-testid="topology-error">
                  <strong>The last valid graph</strong>; the YAML now has {checked?.failure ? "a problem" : `${num(checked?.errors ?? 0)} problem${checked?.errors === 1 ? "" : "s"}`}:
                  {problems[0] ? <div className="pre" onClick={() => editor.current?.goto(problems[0].line)}>line {problems[0].line}: {problems[0].message}</div> : <div className="pre">{checked?.failure}</div>}
                </div>
              )}
            </div>
            <ErrorBoundary what="The node form" resetKey={selected}>
              {selected && text !== null && <Suspense fallback={null}><NodeForm text={text} node={selected} onChange={setText} problems={checked && checked.text === text ? checked.diagnostics.filter((d) => d.message.startsWith(`components.${selected}.`) || d.message.startsWith(`components.${selected}:`)).map((d) => d.message) : []} onClose={() => setSelected(null)} onDelete={greyed ? undefined : () => gestures.onDeleteNode(selected)} /></Suspense>}
            </ErrorBoundary>
          </div>
        </section>
      </main>


      {/* The page's first run (warming) is drawn by hand until recharts is loaded after it; so is
          any run while the charts' code is still on its way. */}
      {run.phase === "running" && partial ? (
        warming ? <PlainLive partial={partial} progress={run.progress} /> : (
          <Suspense fallback={<PlainLive partial={partial} progress={run.progress} />}>
            <LiveCharts key={theme.name} partial={partial} progress={run.progress} />
          </Suspense>
        )
      ) : finished ? (
        <div ref={resultsView} className="results-anchor">
          <ErrorBoundary what="The results" resetKey={finished}>
            {warming ? <PlainFinished result={finished.result} elapsedMs={finished.elapsedMs} /> : (
              <Suspense fallback={<PlainFinished result={finished.result} elapsedMs={finished.elapsedMs} />}>
                <Results key={theme.name} result={finished.result} elapsedMs={finished.elapsedMs} stale={stale} text={checked?.text ?? ""} scenario={checked?.scenario ?? null} client={client} replicationSeries={finished.replicationSeries} />
              </Suspense>
            )}
          </ErrorBoundary>
        </div>
      ) : (
        run.phase === "running" ? <div className="empty big">Simulating…</div> : <div className="empty big">No results yet: press Run.</div>
      )}
      </div>

      {dyn && (
        <div className="scroll-anchor" data-testid="dynamics-view">
          <Suspense fallback={<div className="empty big">Loading the report…</div>}>
            <ErrorBoundary what={`The report ${dyn.fileName}`} resetKey={dyn}>
              <DynamicsView key={theme.name} doc={dyn.doc} fileName={dyn.fileName} onClose={() => setDyn(null)} />
            </ErrorBoundary>
          </Suspense>
        </div>
      )}

      {sweep && (
        <div className="scroll-anchor" data-testid="sweep-view">
          <Suspense fallback={<div className="empty big">Loading the sweep…</div>}>
            <ErrorBoundary what={`The sweep ${sweep.fileName}`} resetKey={sweep}>
              <SweepView key={theme.name} sweep={sweep.sweep} fileName={sweep.fileName} onClose={() => setSweep(null)} />
            </ErrorBoundary>
          </Suspense>
        </div>
      )}

      {report && (
        <div ref={reportView} className="scroll-anchor" data-testid="report-view">
          <Suspense fallback={<div className="empty big">Loading the report…</div>}>
            <ErrorBoundary what={`The report ${report.fileName}`} resetKey={report}>
              <ValidationView key={theme.name} report={report.report} fileName={report.fileName} onClose={() => setReport(null)} />
            </ErrorBoundary>
          </Suspense>
        </div>
      )}
    </div>
  );
}

/** A live run's first charts, drawn by hand (PlainCharts) while recharts is not loaded yet. */
function PlainLive({ partial, progress }: { partial: Partial; progress: number }) {
  const series = useMemo(() => liveSeries(partial), [partial]);
  return (
    <section className="results live" data-testid="live-results">
      <PartialBanner partial={partial} progress={progress} />
      <PlainCharts series={series} durationS={partial.durationS} warmupS={partial.warmupS} inProgress={partial.inProgress} live={false} />
    </section>
  );
}

/** A finished run's headline, and its latency and throughput drawn by hand, while the results'
 * code loads (the headline is the results' own, without the headroom, which needs a sweep). */
function PlainFinished({ result, elapsedMs }: { result: SimResult; elapsedMs: number | null }) {
  const series = useMemo(() => (result.series ? downsample(result.series).series : null), [result]);
  return (
    <section className="results" data-testid="results-loading">
      <Headline result={result} elapsedMs={elapsedMs} />
      <div className="empty">Loading the tables and the other charts…</div>
      {series ? <PlainCharts series={series} durationS={result.run.durationS} warmupS={result.run.warmupS} inProgress={false} live={false} /> : null}
    </section>
  );
}
