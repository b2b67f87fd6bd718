// Reordering stages in the pipeline editor.

/** The stages with the one at `index` moved by `by` (−1 up, +1 down). */
export function moved<T>(items: T[], index: number, by: number): T[] {
  const target = index + by;
  if (target < 0 || target >= items.length) return items;
  const next = [...items];
  const [item] = next.splice(index, 1);
  next.splice(target, 0, item as T);
  return next;
}
