// How large a request body the service reads for a class with a request_size: one constant shared
// by the plan (which refuses classes whose bodies would not fit) and the service (which answers 413
// past it), so the two never disagree. A body is read whole into memory, so the bound is what one
// replica can hold for its concurrent requests, not a property of the model.

/** The largest request body the service reads for a class with a request_size (bytes). */
export const MAX_SIZED_BODY = 64 * 2 ** 20;
