// Keyboard shortcuts: letters act only outside text fields and without modifiers; Ctrl+Enter and
// Esc act everywhere except where the editor answers them itself; the `?` list is the bound table.
import { describe, expect, test } from "vitest";
import { actionFor, SHORTCUTS, type KeyLike } from "./shortcuts.ts";

const press = (key: string, where: KeyLike["target"] = { tagName: "BODY" }, mods: Partial<KeyLike> = {}): ReturnType<typeof actionFor> =>
  actionFor({ key, ctrlKey: false, metaKey: false, altKey: false, target: where, ...mods });
const editor = { tagName: "DIV", isContentEditable: true, closest: (sel: string) => (sel === ".cm-editor" ? {} : null) };

describe("shortcuts", () => {
  test("each letter of the table does its action on the page", () => {
    for (const s of SHORTCUTS.filter((x) => x.keys.length === 1)) expect(press(s.keys)).toBe(s.action);
    expect(press("?")).toBe("help");
    expect(press("x")).toBeNull();
  });

  test("typing in the editor, an input, a select or a textarea is typing, not a shortcut", () => {
    for (const where of [editor, { tagName: "INPUT" }, { tagName: "select" }, { tagName: "TEXTAREA" }]) {
      expect(press("r", where)).toBeNull();
      expect(press("?", where)).toBeNull();
    }
  });

  test("with Ctrl, Cmd or Alt a letter stays the browser's; Ctrl/Cmd+Enter runs, except in the editor (it runs there itself)", () => {
    expect(press("r", undefined, { ctrlKey: true })).toBeNull();
    expect(press("l", undefined, { metaKey: true })).toBeNull();
    expect(press("o", undefined, { altKey: true })).toBeNull();
    expect(press("Enter", { tagName: "BODY" }, { ctrlKey: true })).toBe("run");
    expect(press("Enter", { tagName: "INPUT" }, { metaKey: true })).toBe("run");
    expect(press("Enter", editor, { ctrlKey: true })).toBeNull();
    expect(press("Enter")).toBeNull();
  });

  test("Esc works everywhere, the editor included", () => {
    expect(press("Escape", editor)).toBe("escape");
    expect(press("Escape")).toBe("escape");
  });
});
