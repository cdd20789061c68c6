// Preloaded into the conformance suite (`node --import ./conformance_bearer.mjs …`) when it runs against Atrium's
// gateway: the suite has no option for a request header, and every gateway request needs an agent's bearer token.
// Every HTTP request the suite makes (its SDK client's fetch and its raw undici requests) goes through undici's
// global dispatcher, which this replaces with one that adds `Authorization: Bearer $ATRIUM_CONFORMANCE_TOKEN`.
// Test-only: it lives in tests/peers and changes nothing in Atrium.
import { Agent, setGlobalDispatcher } from 'undici';

const token = process.env.ATRIUM_CONFORMANCE_TOKEN;
if (!token) throw new Error('ATRIUM_CONFORMANCE_TOKEN is not set');

const withBearer = (dispatch) => (opts, handler) => {
  const headers = opts.headers ?? {};
  // undici takes headers as an object or as a flat [name, value, …] array.
  const next = Array.isArray(headers)
    ? [...headers, 'authorization', `Bearer ${token}`]
    : { ...headers, authorization: `Bearer ${token}` };
  return dispatch({ ...opts, headers: next }, handler);
};
setGlobalDispatcher(new Agent().compose(withBearer));
