import { describe, expect, it } from "vitest";
import type { Deal } from "../api/records";
import { loadedDeals, withDeal, withoutDeal, type Column } from "./board";

const deal = (id: number, amount: string): Deal => ({ id, amount, name: `Deal ${id}` });
const column = (pages: Deal[][], more = false): Column => ({
  pageParams: pages.map((_, index) => (index ? `c${index}` : null)),
  pages: pages.map((items, index) => ({
    items,
    next_cursor: more || index < pages.length - 1 ? `c${index + 1}` : null,
    estimated_total: null,
  })),
});

describe("the kanban's optimistic moves", () => {
  it("takes a deal out of its column", () => {
    const before = column([[deal(1, "500"), deal(2, "300")], [deal(3, "100")]]);
    expect(loadedDeals(withoutDeal(before, 2)).map((item) => item.id)).toEqual([1, 3]);
  });

  it("puts a deal where the column's order places it", () => {
    const before = column([[deal(1, "500"), deal(2, "300")], [deal(3, "100")]]);
    expect(loadedDeals(withDeal(before, deal(9, "200"))).map((item) => item.id)).toEqual([1, 2, 9, 3]);
    expect(loadedDeals(withDeal(before, deal(9, "900"))).map((item) => item.id)).toEqual([9, 1, 2, 3]);
    expect(loadedDeals(withDeal(before, deal(9, "1"))).map((item) => item.id)).toEqual([1, 2, 3, 9]);
  });

  it("leaves a deal that sorts after the loaded ones to the next page", () => {
    const before = column([[deal(1, "500")]], true);
    expect(loadedDeals(withDeal(before, deal(9, "1"))).map((item) => item.id)).toEqual([1]);
  });

  it("puts a deal into an empty column", () => {
    expect(loadedDeals(withDeal(column([[]]), deal(9, "10"))).map((item) => item.id)).toEqual([9]);
  });
});
