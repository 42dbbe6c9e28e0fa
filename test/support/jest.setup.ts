import { Logger } from '@nestjs/common';

// Keep test output readable: Nest's loggers are silent unless TEST_LOGS=1.
if (!process.env.TEST_LOGS) Logger.overrideLogger(false);
