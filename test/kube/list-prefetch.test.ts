// A paginated list asks for the next page as soon as the current page's head names its continue token.
// The head is read as it arrives, cut anywhere; and the pages, asked for ahead, must still add up to
// exactly the collection.
import { type RunningSimulator, startSimulator } from "@meshsync/sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeConfigForContext, loadKubeConfig } from "../../src/kube/connect.js";
import { KubeHttpClient, type Query } from "../../src/kube/http-client.js";
import {
  continueTokenInHead,
  HttpListerWatcher,
  type ListerWatcher,
  type ListOptions,
} from "../../src/kube/list-watch.js";
import { silentLogger } from "../../src/kube/logger.js";
import { listAll } from "../../src/kube/pager.js";
import type { KubeObject, ResourceType } from "../../src/kube/types.js";

const pods: ResourceType = {
  group: "",
  version: "v1",
  resource: "pods",
  kind: "Pod",
  namespaced: true,
  verbs: ["list", "watch"],
};

interface ListText {
  text: string;
  body: { kind: string; apiVersion: string; metadata: { continue?: string }; items: KubeObject[] };
}

let sim: RunningSimulator;

beforeAll(async () => {
  // No controllers: nothing is created or deleted between the pages and the unpaginated list.
  sim = await startSimulator({ scenario: "small", controllers: false });
});
afterAll(async () => {
  await sim.close();
});

async function listText(path: string): Promise<ListText> {
  const response = await fetch(`${sim.url}${path}`, { signal: AbortSignal.timeout(10_000) });
  expect(response.status, path).toBe(200);
  const text = await response.text();
  return { text, body: JSON.parse(text) as ListText["body"] };
}

/** Where the list's metadata object ends in its text (the simulator writes compact JSON). */
function metadataEndIn({ text, body }: ListText): number {
  const member = `"metadata":${JSON.stringify(body.metadata)}`;
  const at = text.indexOf(member);
  expect(at, "the list's metadata, written compactly").toBeGreaterThan(0);
  return at + member.length;
}

/** What continueTokenInHead answers for the text cut after each of its first `upTo` bytes. */
function answersForEveryCut(text: string, upTo: number): (string | null)[] {
  const bytes = Buffer.from(text, "utf8");
  const answers: (string | null)[] = [];
  for (let cut = 0; cut <= Math.min(upTo, bytes.length); cut++)
    answers.push(continueTokenInHead(bytes.subarray(0, cut).toString("utf8")));
  return answers;
}

describe("continueTokenInHead", () => {
  it("names the continue token once the head holds all of metadata, and nothing before", async () => {
    const page = await listText("/api/v1/pods?limit=7");
    const token = page.body.metadata.continue;
    expect(token, "a first page's continue token").toMatch(/.+/);
    const metadataEnd = metadataEndIn(page);
    const answers = answersForEveryCut(page.text, metadataEnd + 400);
    const expected = answers.map((_, cut) => (cut < metadataEnd ? null : token));
    expect(answers).toEqual(expected);
  });

  it('answers "" for a last page once its metadata is complete, and nothing before', async () => {
    const page = await listText("/api/v1/services");
    expect(page.body.metadata.continue ?? "", "the last page's continue token").toBe("");
    const metadataEnd = metadataEndIn(page);
    const answers = answersForEveryCut(page.text, metadataEnd + 400);
    expect(answers).toEqual(answers.map((_, cut) => (cut < metadataEnd ? null : "")));
  });

  it('answers "" once items come before any metadata, and nothing before', async () => {
    const { body } = await listText("/api/v1/pods?limit=7");
    expect(body.metadata.continue).toMatch(/.+/);
    const text = JSON.stringify({
      kind: body.kind,
      apiVersion: body.apiVersion,
      items: body.items,
      metadata: body.metadata,
    });
    const itemsNamed = text.indexOf('"items"') + '"items"'.length;
    const answers = answersForEveryCut(text, itemsNamed + 400);
    expect(answers).toEqual(answers.map((_, cut) => (cut < itemsNamed ? null : "")));
  });
});

/** A client that records which pages were asked for, in order. */
class RecordingClient extends KubeHttpClient {
  readonly asked: string[] = [];

  override getText(
    path: string,
    query?: Query,
    signal?: AbortSignal,
    onHead?: (head: string) => boolean,
  ): Promise<string> {
    this.asked.push(`get ${String(query?.continue ?? "")}`);
    return super.getText(path, query, signal, onHead);
  }
}

function simClient(): RecordingClient {
  const base = loadKubeConfig({ kubeconfigYaml: sim.kubeconfig() });
  return new RecordingClient(kubeConfigForContext(base, base.getCurrentContext()));
}

/** An object as a list page gives it: without managedFields, with kind and apiVersion. */
function asListed(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  delete copy.metadata?.managedFields;
  copy.kind ??= pods.kind;
  copy.apiVersion ??= "v1";
  return copy;
}

describe("listAll through HttpListerWatcher, pages asked for ahead", () => {
  const pageSize = 7;

  it("returns exactly the objects of an unpaginated list, none twice", async () => {
    const whole = (await listText("/api/v1/pods")).body.items;
    expect(whole.length, "pods in the scenario").toBeGreaterThan(2 * pageSize);
    const lw = new HttpListerWatcher(simClient(), pods, silentLogger);
    const list = await listAll(lw, pageSize, AbortSignal.timeout(20_000));
    const uids = list.items.map((object) => object.metadata?.uid);
    expect(new Set(uids).size, "distinct uids").toBe(uids.length);
    expect([...uids].sort()).toEqual(whole.map((object) => object.metadata?.uid).sort());
    expect(list.pages).toBe(Math.ceil(whole.length / pageSize));
    const byUid = new Map(whole.map((object) => [object.metadata?.uid, object]));
    for (const object of list.items) expect(object).toStrictEqual(asListed(byUid.get(object.metadata?.uid)!));
    expect(lw.skipped).toBe(0);
  });

  it("asks for each page once, before the list asks for it", async () => {
    const client = simClient();
    const inner = new HttpListerWatcher(client, pods, silentLogger);
    const lw: ListerWatcher = {
      list: (options: ListOptions) => {
        client.asked.push(`list ${options.continue ?? ""}`);
        return inner.list(options);
      },
      watch: (options) => inner.watch(options),
    };
    const list = await listAll(lw, pageSize, AbortSignal.timeout(20_000));
    const listed = client.asked.filter((entry) => entry.startsWith("list "));
    const fetched = client.asked.filter((entry) => entry.startsWith("get "));
    expect(listed).toHaveLength(list.pages);
    expect(list.pages).toBeGreaterThan(2);
    // Every page the list asked for was fetched exactly once, and every page after the first before
    // the list asked for it.
    expect(fetched.sort()).toEqual(listed.map((entry) => `get ${entry.slice("list ".length)}`).sort());
    const notAhead = listed
      .map((entry, index) => ({ page: index + 1, entry }))
      .filter(({ page, entry }) => {
        const fetchedAt = client.asked.indexOf(`get ${entry.slice("list ".length)}`);
        return page > 1 && !(fetchedAt >= 0 && fetchedAt < client.asked.indexOf(entry));
      })
      .map(({ page }) => page);
    expect(notAhead, `pages (of ${list.pages}) not asked for before the list asked for them`).toEqual([]);
  });
});
