// @vitest-environment happy-dom
// Component tests: the summary panels and the node form rendered in a DOM from a real run.
import { afterEach, describe, expect, test, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { simulate } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { ClassTable, ComponentTable, Headline, SloTable } from "./Summary.tsx";
import { NodeForm } from "./NodeForm.tsx";
import { compareResults } from "./ab-compare.ts";
import { withCi } from "./format.ts";
import { PayloadTable } from "./Sections.tsx";
import text from "../../scenarios/single-service.yaml?raw";
import media from "../../scenarios/media-api.yaml?raw";
import serverless from "../../scenarios/serverless-api.yaml?raw";
import { check } from "./validate.ts";

const single = scenarioOf(text, "single-service.yaml");
const result = simulate(single, { replications: 3, duration: 40, warmup: 5 });

afterEach(cleanup);

describe("payloads", () => {
  test("the payload table shows bytes per component and edge and the balancer's link; none without payloads", () => {
    const r = simulate(scenarioOf(media, "media-api.yaml"), { replications: 2, duration: 15, warmup: 3 });
    render(<PayloadTable result={r} />);
    const lb = screen.getAllByText("lb").map((td) => [...td.closest("tr")!.querySelectorAll("td")].map((x) => x.textContent));
    expect(lb[0][2]).toBe(withCi(r.components.lb.bytes!.outPerSecond, 1e-6));
    expect(lb[1][1]).toBe("1000"); // the link's Mbit/s
    expect(screen.getByText("lb->users")).toBeTruthy();
    cleanup();
    const { container } = render(<PayloadTable result={result} />);
    expect(container.textContent).toBe("");
  });
});

describe("summary panels", () => {
  test("the class table shows each estimate with its 95% half-width", () => {
    render(<ClassTable result={result} />);
    const row = screen.getByText("get_product").closest("tr")!;
    const cells = [...row.querySelectorAll("td")].map((td) => td.textContent);
    const c = result.classes.get_product;
    expect(cells[1]).toBe(withCi(c.throughput));
    expect(cells[5]).toBe(withCi(c.latencyMs.p99));
    expect(cells[5]).toMatch(/^\d[\d.]* ± \d/);
  });

  test("the headline names the bottleneck and the SLO verdict", () => {
    render(<Headline result={result} elapsedMs={1000} />);
    expect(screen.getByTestId("bottleneck").textContent).toContain("api");
    expect(screen.getByText(result.slo!.pass ? "PASS" : "FAIL")).toBeTruthy();
    expect(screen.getByText(`${result.slo!.checks.filter((x) => x.pass).length}/${result.slo!.checks.length} checks`)).toBeTruthy();
  });

  test("the component table marks the bottleneck and shows its utilization near 75%", () => {
    render(<ComponentTable result={result} />);
    const row = screen.getByText("api ◆").closest("tr")!;
    const util = Number(row.querySelectorAll("td")[3].textContent!.split("%")[0]);
    expect(util).toBeGreaterThan(70);
    expect(util).toBeLessThan(80);
  });

  test("every header of the class and component tables explains itself in a tooltip", () => {
    render(<><ClassTable result={result} /><ComponentTable result={result} /></>);
    for (const id of ["class-table", "component-table"]) {
      const heads = [...screen.getByTestId(id).querySelectorAll("th")];
      expect(heads.length).toBeGreaterThan(8);
      for (const th of heads) expect(th.getAttribute("title")?.length ?? 0, `${id}: ${th.textContent}`).toBeGreaterThan(15);
    }
  });

  test("the SLO table has one row per check with limit and prediction", () => {
    render(<SloTable result={result} />);
    expect(screen.getByTestId("slo-table").querySelectorAll("tbody tr")).toHaveLength(result.slo!.checks.length);
    expect(screen.getByText("100 ms")).toBeTruthy(); // p95 limit of single-service
  });
});

describe("node form", () => {
  test("editing servers writes the new value into the YAML on Enter", () => {
    const onChange = vi.fn();
    render(<NodeForm text={text} node="api" onChange={onChange} onClose={() => {}} />);
    const input = screen.getByTestId("field-components.api.servers") as HTMLInputElement;
    expect(input.value).toBe("8");
    fireEvent.change(input, { target: { value: "12" } });
    fireEvent.keyDown(input, { key: "Enter" });
    expect(onChange).toHaveBeenCalledTimes(1);
    const out = onChange.mock.calls[0][0] as string;
    expect(out).toBe(text.replace("servers: 8", "servers: 12"));
  });

  test("a function's boot_capacity: typed in the form, written as one line; the loader's error listed in the form", () => {
    const onChange = vi.fn();
    render(<NodeForm text={serverless} node="items_fn" onChange={onChange} onClose={() => {}} />);
    const input = screen.getByTestId("field-components.items_fn.boot_capacity") as HTMLInputElement;
    expect(input.value).toBe("");
    fireEvent.change(input, { target: { value: "0" } });
    fireEvent.keyDown(input, { key: "Enter" });
    const out = onChange.mock.calls[0][0] as string;
    expect(out.split("\n").length).toBe(serverless.split("\n").length + 1);
    // the page passes the loader's problems of this component (App.tsx: messages under components.<node>)
    const problems = check(out).diagnostics.map((d) => d.message).filter((m) => m.startsWith("components.items_fn."));
    expect(problems).toHaveLength(1);
    cleanup();
    render(<NodeForm text={out} node="items_fn" onChange={() => {}} onClose={() => {}} problems={problems} />);
    expect(screen.getByTestId("node-problems").textContent).toContain("components.items_fn.boot_capacity: boot_capacity must be a finite number greater than 0");
    expect((screen.getByTestId("field-components.items_fn.boot_capacity") as HTMLInputElement).value).toBe("0");
  });

  test("an unchanged field writes nothing", () => {
    const onChange = vi.fn();
    render(<NodeForm text={text} node="api" onChange={onChange} onClose={() => {}} />);
    fireEvent.blur(screen.getByTestId("field-components.api.servers"));
    expect(onChange).not.toHaveBeenCalled();
  });
});

describe("what-if comparison", () => {
  test("with common random numbers, more servers change utilization by the expected ratio", () => {
    const b = scenarioOf(text.replace("servers: 8", "servers: 12"), "b.yaml");
    const opts = { replications: 3, duration: 40, warmup: 5, seed: single.seed };
    const ra = simulate(single, opts);
    const rb = simulate(b, opts);
    const rows = compareResults(ra, rb);
    const util = rows.find((r) => r.metric === "api utilization")!;
    // Same arrivals and service draws: the busy time is the same, spread over 12 servers, not 8.
    expect(util.b / util.a).toBeCloseTo(8 / 12, 2);
    const tp = rows.find((r) => r.metric === "get_product throughput")!;
    expect(Math.abs(tp.b - tp.a) / tp.a).toBeLessThan(0.002);
    expect(rows.find((r) => r.metric === "get_product p99")!.b).toBeLessThan(rows.find((r) => r.metric === "get_product p99")!.a);
  });
});
