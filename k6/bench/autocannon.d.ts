// The part of autocannon's API the load benchmark uses (the package ships no types).
declare module "autocannon" {
  interface Result {
    requests: { total: number; average: number };
    errors: number;
    non2xx: number;
  }
  function autocannon(opts: { url: string; connections: number; duration: number; pipelining?: number }): Promise<Result>;
  export default autocannon;
}
