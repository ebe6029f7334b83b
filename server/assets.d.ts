// Module types for files imported as text (SQL migrations are embedded in the binary this way).
declare module "*.sql" {
  const text: string;
  export default text;
}

declare module "*.css" {
  const text: string;
  export default text;
}
