export * from "./audit";
export * from "./config";
export * from "./plan";
export * from "./secretRotation";
export * from "./oktaApp";
export * from "./keyRotation";
