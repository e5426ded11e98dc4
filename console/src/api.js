// Every call goes through /graphql with the signed-in key as a Bearer token, so the
// console can do exactly what the key's role may do in the API, and no more.

const KEY = "hub.console.key";

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

/** A refusal of the whole request (HTTP-level) or of a field, with the hub's code. */
export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code ?? "ERROR";
    this.status = status;
  }
}

/** Runs one GraphQL document. Returns { data, errors } (errors: field errors, possibly
 *  with partial data); throws ApiError when the hub refused the request as a whole. */
export async function request(query, variables = {}) {
  const key = session.key();
  let response;
  try {
    response = await fetch(new URL("../graphql", location.href), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("The hub did not answer (network error).", "NETWORK");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The hub answered ${response.status} without JSON.`, "HTTP_" + response.status, response.status);
  }
  if (!response.ok || body.data === undefined || body.data === null) {
    const first = body.errors?.[0];
    throw new ApiError(first?.message ?? `HTTP ${response.status}`, first?.extensions?.code, response.status);
  }
  return { data: body.data, errors: body.errors ?? [] };
}

/** Like request, but any field error is an ApiError too: for views that need it all. */
export async function query(text, variables = {}) {
  const { data, errors } = await request(text, variables);
  if (errors.length) {
    throw new ApiError(errors[0].message, errors[0].extensions?.code);
  }
  return data;
}

/** The text shown for an error: "[CODE] message". */
export function describe(error) {
  return error instanceof ApiError ? `[${error.code}] ${error.message}` : String(error);
}
