/** The longest CALLERROR errorDescription OCPP 2.x allows (string[255]); applied to 1.6 too. */
export const MAX_ERROR_DESCRIPTION_LENGTH = 255;
