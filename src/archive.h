#ifndef SB_ARCHIVE_H
#define SB_ARCHIVE_H
#endif
