// Module types for files imported as text (SQL migrations are embedded in the binary this way).
declare module "*.sql" {
  const text: string;
  export default text;
}

declare module "*.css" {
  const text: string;
  export default text;
}

// pdf.js's worker, imported as a file (its URL in the built desktop).
declare module "pdfjs-dist/build/pdf.worker.min.mjs" {
  const url: string;
  export default url;
}
