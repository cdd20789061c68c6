/** The colour families badges and banners are drawn in. */
export type Tone = "neutral" | "progress" | "success" | "warning" | "danger" | "accent";
