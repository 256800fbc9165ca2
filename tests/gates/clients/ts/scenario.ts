// The Python gate's scenario, written against the types openapi-typescript generates from openapi/openapi.json
// (quality gate 3 of issue 7; scripts/gate-clients type-checks it with `tsc --noEmit --strict`).
//
// `./sportello-api` is the generated .d.ts, written next to a copy of this file under target/ on every run. A
// small typed fetch wrapper (`call`) takes the method, the path template and the request from `paths`, so that
// a path, a parameter, a body field, a content type or an enum value the spec does not have is a compile
// error, and the result is a union discriminated by status whose bodies are the spec's schemas. The
// `@ts-expect-error` lines at the end pin that strictness: if the generated types grew loose (`any`, optional
// If-Match, plain `string` enums), those lines would stop erring and tsc would fail on them.
//
// The file is a real client (it runs on any fetch-capable runtime) but the gate only type-checks it: running
// the scenario is the Python client's part.

import type { components, paths } from "./sportello-api";

type Schemas = components["schemas"];
type Method = "get" | "post" | "patch" | "delete";

// --- The typed fetch wrapper ------------------------------------------------------------------------------

/** The operation at `paths[P][M]`; `never` where the spec has none. */
type Operation<P extends keyof paths, M extends Method> = Extract<paths[P][M], { responses: unknown }>;

/** Path templates that have a method M. */
type PathsWith<M extends Method> = {
    [P in keyof paths]: [Operation<P, M>] extends [never] ? never : P;
}[keyof paths];

/** The request: path/query/header parameters as the spec types them, and a body in one of its content types. */
type RequestFor<O> = (O extends { parameters: infer Params } ? Params : {}) & BodyFor<O>;
type NoBody = { contentType?: never; body?: never };
type BodyIn<C> = { [K in keyof C]: { contentType: K; body: C[K] } }[keyof C];
type BodyFor<O> = O extends { requestBody?: infer B }
    ? [NonNullable<B>] extends [never]
        ? NoBody // the operation takes no body (`requestBody?: never`)
        : NonNullable<B> extends { content: infer C }
          ? {} extends Pick<O, "requestBody"> // an optional body
              ? BodyIn<C> | NoBody
              : BodyIn<C>
          : never
    : NoBody;

/** Every documented response, as `{ status, headers, body }` with the body of its (single) content type. */
type ResultFor<O> = O extends { responses: infer R }
    ? { [S in keyof R & number]: { status: S; headers: Headers; body: BodyOf<R[S]> } }[keyof R & number]
    : never;
type BodyOf<R> = R extends { content: infer C } ? C[keyof C] : undefined;

interface Api {
    baseUrl: string;
    token?: string;
}

async function call<M extends Method, P extends PathsWith<M>>(
    api: Api,
    method: M,
    path: P,
    request: RequestFor<Operation<P, M>>,
): Promise<ResultFor<Operation<P, M>>> {
    const { path: pathParams, query, header, contentType, body } = request as {
        path?: Record<string, string>;
        query?: Record<string, string | number | undefined>;
        header?: Record<string, string | null | undefined>;
        contentType?: string;
        body?: unknown;
    };
    const url = new URL(
        api.baseUrl + path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(pathParams?.[name] ?? "")),
    );
    for (const [name, value] of Object.entries(query ?? {})) {
        if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers = new Headers({ Accept: "application/json, application/problem+json" });
    for (const [name, value] of Object.entries(header ?? {})) {
        if (value !== undefined && value !== null) headers.set(name, value);
    }
    if (api.token) headers.set("Authorization", `Bearer ${api.token}`);
    let payload: string | undefined;
    if (contentType !== undefined) {
        headers.set("Content-Type", contentType);
        payload =
            contentType === "application/x-www-form-urlencoded"
                ? new URLSearchParams(body as Record<string, string>).toString()
                : JSON.stringify(body);
    }
    const response = await fetch(url, { method: method.toUpperCase(), headers, body: payload ?? null });
    const text = await response.text();
    const json = /json/.test(response.headers.get("Content-Type") ?? "") && text !== "" ? JSON.parse(text) : undefined;
    // The one unchecked step, as in any client: trusting that the server answers as its spec says.
    return { status: response.status, headers: response.headers, body: json } as ResultFor<Operation<P, M>>;
}

function fail(message: string): never {
    throw new Error(`scenario failed: ${message}`);
}

/** Narrows a result to one status, failing with the body otherwise. */
function expectStatus<R extends { status: number }, S extends R["status"]>(
    what: string,
    result: R,
    status: S,
): Extract<R, { status: S }> {
    if (result.status !== status) {
        fail(`${what}: expected HTTP ${status}, got ${result.status}: ${JSON.stringify(result)}`);
    }
    return result as Extract<R, { status: S }>;
}

function check(what: string, condition: boolean): void {
    if (!condition) fail(what);
}

// --- The scenario -------------------------------------------------------------------------------------------

async function logIn(baseUrl: string, username: string, password: string): Promise<Api> {
    // The OAuth 2 form encoding, as Swagger UI sends it; the same TokenRequest is accepted as JSON.
    const result = await call({ baseUrl }, "post", "/api/v1/auth/token", {
        contentType: "application/x-www-form-urlencoded",
        body: { grant_type: "password", username, password },
    });
    const tokens: Schemas["TokenResponse"] = expectStatus(`log in as ${username}`, result, 200).body;
    check("a Bearer token", tokens.token_type === "Bearer");
    return { baseUrl, token: tokens.access_token };
}

export async function scenario(baseUrl: string, adminPassword: string): Promise<string> {
    const admin = await logIn(baseUrl, "admin", adminPassword);

    const org = expectStatus(
        "create the organization",
        await call(admin, "post", "/api/v1/organizations", {
            contentType: "application/json",
            body: { name: "Comune di Cremona", kind: "municipality", code: "CR-COMUNE", municipality: "Cremona" },
        }),
        201,
    ).body;
    const desk = expectStatus(
        "create the desk",
        await call(admin, "post", "/api/v1/desks", {
            contentType: "application/json",
            body: { name: "Sportello immigrati - Via Aselli", organization_id: org.id, languages: ["it", "fr"] },
        }),
        201,
    ).body;
    const operatorPassword = `Operator-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const operatorUser: Schemas["User"] = expectStatus(
        "create the operator",
        await call(admin, "post", "/api/v1/users", {
            contentType: "application/json",
            body: {
                username: "m.rossi",
                display_name: "Maria Rossi",
                role: "operator",
                password: operatorPassword,
                organization_id: org.id,
            },
        }),
        201,
    ).body;

    const operator = await logIn(baseUrl, "m.rossi", operatorPassword);

    const intake: Schemas["CreateCase"] = {
        given_name: "Amina",
        family_name: "Diallo",
        desk_id: desk.id,
        sex: "female",
        birth_date: "1990-05-17",
        birth_place: "Dakar",
        citizenship: "SN",
        languages: ["fr", "wo"],
        legal_status: "permit_holder",
        needs: ["residence_permit", "language_course"],
        phone: "+39 333 1234567",
        family_members: [
            {
                relationship: "child",
                given_name: "Moussa",
                family_name: "Diallo",
                birth_date: "2016-03-02",
                dependent: true,
            },
        ],
    };
    const created = expectStatus(
        "create the case",
        await call(operator, "post", "/api/v1/cases", {
            header: { "Idempotency-Key": `clients-gate-${Date.now()}` },
            contentType: "application/json",
            body: intake,
        }),
        201,
    );
    const caseFile: Schemas["Case"] = created.body;
    check("the case is open", caseFile.status === "open");
    check("created by the operator", caseFile.created_by === operatorUser.id);
    check("Location header", (created.headers.get("Location") ?? "").endsWith(`/api/v1/cases/${caseFile.id}`));

    const spouse: Schemas["FamilyMember"] = expectStatus(
        "add the spouse",
        await call(operator, "post", "/api/v1/cases/{case_id}/family-members", {
            path: { case_id: caseFile.id },
            contentType: "application/json",
            body: {
                relationship: "spouse",
                given_name: "Ousmane",
                family_name: "Diallo",
                lives_with_beneficiary: false,
            },
        }),
        201,
    ).body;
    check("spouse of the case", spouse.case_id === caseFile.id);

    const today = new Date().toISOString().slice(0, 10);
    const intervention: Schemas["Intervention"] = expectStatus(
        "add the intervention",
        await call(operator, "post", "/api/v1/cases/{case_id}/interventions", {
            path: { case_id: caseFile.id },
            contentType: "application/json",
            body: {
                kind: "orientation",
                occurred_on: today,
                summary: "Orientation on the permit renewal procedure",
                duration_minutes: 30,
            },
        }),
        201,
    ).body;
    check("intervention of the case", intervention.case_id === caseFile.id);

    const page: Schemas["Page_Case"] = expectStatus(
        "list cases",
        await call(operator, "get", "/api/v1/cases", { query: { q: "diallo amina", limit: 10 } }),
        200,
    ).body;
    check("the case is listed", page.items.some((item) => item.id === caseFile.id));

    const read = expectStatus(
        "get the case",
        await call(operator, "get", "/api/v1/cases/{id}", { path: { id: caseFile.id } }),
        200,
    );
    const etag = read.headers.get("ETag") ?? fail("get the case: no ETag");

    const patch: Schemas["UpdateCase"] = { phone: "+39 333 7654321", birth_place: null, needs: ["employment"] };
    const patched = expectStatus(
        "patch the case",
        await call(operator, "patch", "/api/v1/cases/{id}", {
            path: { id: caseFile.id },
            header: { "If-Match": etag },
            contentType: "application/merge-patch+json",
            body: patch,
        }),
        200,
    ).body;
    check("phone replaced, birth place cleared", patched.phone === "+39 333 7654321" && patched.birth_place == null);
    check("version moved on", patched.version === read.body.version + 1);

    const stale = await call(operator, "patch", "/api/v1/cases/{id}", {
        path: { id: caseFile.id },
        header: { "If-Match": etag },
        contentType: "application/merge-patch+json",
        body: { phone: "+39 333 0000000" },
    });
    const problem: Schemas["Problem"] = expectStatus("patch with a stale If-Match", stale, 412).body;
    check("a precondition_failed problem", problem.type === "urn:sportello:problem:precondition_failed");
    check("problem+json", (stale.headers.get("Content-Type") ?? "").startsWith("application/problem+json"));

    return caseFile.reference_code;
}

// --- Compile-time checks of the generated types' strictness -------------------------------------------------
// Never called; tsc checks the bodies. Each @ts-expect-error must be an error, or tsc fails ("Unused
// '@ts-expect-error' directive").

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
    return undefined;
}
assertType<Equals<Schemas["Case"]["version"], number>>();
assertType<Equals<Schemas["CaseStatus"], "open" | "active" | "suspended" | "closed">>();
assertType<Equals<paths["/api/v1/cases/{id}"]["patch"]["parameters"]["header"]["If-Match"], string>>();
type UpdateCaseOperation = paths["/api/v1/cases/{id}"]["patch"];
assertType<Equals<keyof UpdateCaseOperation["requestBody"]["content"], "application/merge-patch+json">>();
assertType<Equals<Schemas["UpdateCase"]["birth_place"], string | null | undefined>>();

export async function typeErrors(api: Api, id: string): Promise<void> {
    type CasePatch = RequestFor<Operation<"/api/v1/cases/{id}", "patch">>;
    // @ts-expect-error -- a PATCH without If-Match
    const noIfMatch: CasePatch = { path: { id }, contentType: "application/merge-patch+json", body: {} };
    const plainJson: CasePatch = {
        path: { id },
        header: { "If-Match": '"1"' },
        // @ts-expect-error -- a merge patch sent as plain JSON
        contentType: "application/json",
        body: {},
    };
    // @ts-expect-error -- a path the spec does not have
    await call(api, "get", "/api/v1/case", {});
    // @ts-expect-error -- a method the path does not have
    await call(api, "delete", "/api/v1/auth/token", {});
    // @ts-expect-error -- a sex code the spec does not list
    const badSex: Schemas["CreateCase"] = { given_name: "A", family_name: "B", sex: "femmina" };
    const extraField: Schemas["CreateIntervention"] = {
        kind: "orientation",
        occurred_on: "2026-01-01",
        summary: "x",
        // @ts-expect-error -- an undeclared field in a body
        minutes: 3,
    };
    // @ts-expect-error -- a required field missing
    const missingField: Schemas["CreateFamilyMember"] = { relationship: "child", given_name: "A" };
    const result = await call(api, "get", "/api/v1/cases/{id}", { path: { id } });
    // @ts-expect-error -- the body is a Case only once the status is known to be 200
    void result.body.reference_code;
    if (result.status === 404) {
        // @ts-expect-error -- a 404's body is a Problem
        void result.body.reference_code;
        const problem: Schemas["Problem"] = result.body;
        void problem;
    }
    void [noIfMatch, plainJson, badSex, extraField, missingField];
}
