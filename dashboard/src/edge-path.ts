// The path and label place of a topology edge. An edge leaves its source's right handle and enters
// its target's left one; React Flow's bezier puts the label at the middle of the two, so a back
// edge (db -> api beside api -> db, or a station routing to itself) would draw its label on its
// forward edge's. A back edge (the source's handle right of the target's) is drawn instead as a
// curve that dips below both nodes, with its label at the curve's lowest point: BACK_DROP * 3/4
// below the middle, clear of the forward edge's label and of the nodes' centre lines.
import { getBezierPath, Position } from "@xyflow/react";

/** How far below the handles a back edge's control points go (px, flow coordinates). */
export const BACK_DROP = 96;
/** How far right of its source and left of its target a back edge's control points go. */
const BACK_REACH = 90;

export interface EdgeGeometry {
  readonly path: string;
  readonly labelX: number;
  readonly labelY: number;
  readonly back: boolean;
}

export function edgeGeometry(sx: number, sy: number, tx: number, ty: number): EdgeGeometry {
  if (sx > tx) {
    const y1 = sy + BACK_DROP, y2 = ty + BACK_DROP;
    // a cubic's point at t = 1/2: (P0 + 3 P1 + 3 P2 + P3) / 8
    return {
      path: `M ${sx},${sy} C ${sx + BACK_REACH},${y1} ${tx - BACK_REACH},${y2} ${tx},${ty}`,
      labelX: (sx + 3 * (sx + BACK_REACH) + 3 * (tx - BACK_REACH) + tx) / 8,
      labelY: (sy + 3 * y1 + 3 * y2 + ty) / 8,
      back: true,
    };
  }
  const [path, labelX, labelY] = getBezierPath({ sourceX: sx, sourceY: sy, sourcePosition: Position.Right, targetX: tx, targetY: ty, targetPosition: Position.Left });
  return { path, labelX, labelY, back: false };
}
