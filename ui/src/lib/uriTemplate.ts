/** Resource templates (RFC 6570, levels 1–3): the variables a template names, and the URI it makes from values. */

const EXPR = /\{([+#./;?&]?)([^{}]*)\}/g;

interface VarSpec {
  name: string;
  prefix: number | null;
  explode: boolean;
}

function specs(list: string): VarSpec[] {
  return list
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean)
    .map((v) => {
      const explode = v.endsWith("*");
      const [name, prefix] = (explode ? v.slice(0, -1) : v).split(":");
      return { name, prefix: prefix && /^\d+$/.test(prefix) ? Number(prefix) : null, explode };
    });
}

/** The variable names of a template, in order, each once. */
export function templateVariables(template: string): string[] {
  const names: string[] = [];
  for (const m of template.matchAll(EXPR)) for (const s of specs(m[2])) if (!names.includes(s.name)) names.push(s.name);
  return names;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;
const RESERVED = /[:/?#[\]@!$&'()*+,;=]/;

function encode(value: string, allowReserved: boolean): string {
  let out = "";
  for (const ch of value) {
    if (UNRESERVED.test(ch) || (allowReserved && RESERVED.test(ch))) out += ch;
    else out += encodeURIComponent(ch);
  }
  return out;
}

const OPS: Record<string, { first: string; sep: string; named: boolean; ifEmpty: string; reserved: boolean }> = {
  "": { first: "", sep: ",", named: false, ifEmpty: "", reserved: false },
  "+": { first: "", sep: ",", named: false, ifEmpty: "", reserved: true },
  "#": { first: "#", sep: ",", named: false, ifEmpty: "", reserved: true },
  ".": { first: ".", sep: ".", named: false, ifEmpty: "", reserved: false },
  "/": { first: "/", sep: "/", named: false, ifEmpty: "", reserved: false },
  ";": { first: ";", sep: ";", named: true, ifEmpty: "", reserved: false },
  "?": { first: "?", sep: "&", named: true, ifEmpty: "=", reserved: false },
  "&": { first: "&", sep: "&", named: true, ifEmpty: "=", reserved: false },
};

/** The URI for `values`; empty values are left out, as RFC 6570 does for undefined ones. */
export function expandTemplate(template: string, values: Record<string, string>): string {
  return template.replace(EXPR, (_all, op: string, list: string) => {
    const o = OPS[op] ?? OPS[""];
    const parts: string[] = [];
    for (const s of specs(list)) {
      const raw = values[s.name];
      if (raw === undefined || raw === "") continue;
      const v = encode(s.prefix !== null ? [...raw].slice(0, s.prefix).join("") : raw, o.reserved);
      parts.push(o.named ? `${s.name}${v === "" ? o.ifEmpty : `=${v}`}` : v);
    }
    return parts.length ? o.first + parts.join(o.sep) : "";
  });
}
