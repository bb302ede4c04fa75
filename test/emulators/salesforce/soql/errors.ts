// SOQL errors as Salesforce words them (REST /query, Bulk 2.0 job creation): 400 with a single
// {message, errorCode}; compile errors carry the excerpt preamble of `SoqlSource.excerpt`.
import { ApiError } from '../http/respond.ts';
import type { SoqlSource } from './source.ts';

const CUSTOM_FIELD_HINT =
  "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";
const CUSTOM_OBJECT_HINT =
  "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.";
const CUSTOM_RELATIONSHIP_HINT =
  "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.";

/** Where an error points: an offset in the query, or a name to look up in it. */
export type At = number | { name: string; from?: number };

export class SoqlErrors {
  readonly src: SoqlSource;
  constructor(src: SoqlSource) {
    this.src = src;
  }

  offset(at: At): number {
    if (typeof at === 'number') return at;
    return this.src.findName(at.name, at.from ?? 0)?.start ?? this.src.findName(at.name)?.start ?? 0;
  }

  error(code: string, at: At, message: string): ApiError {
    return new ApiError(400, code, `${this.src.excerpt(this.offset(at))}${message}`);
  }

  noSuchColumn(at: At, field: string, entity: string): ApiError {
    return this.error('INVALID_FIELD', at, `No such column '${field}' on entity '${entity}'. ${CUSTOM_FIELD_HINT}`);
  }

  badRelationship(at: At, rel: string): ApiError {
    return this.error('INVALID_FIELD', at, `Didn't understand relationship '${rel}' in field path. ${CUSTOM_RELATIONSHIP_HINT}`);
  }

  badChildRelationship(at: At, rel: string): ApiError {
    return this.error('INVALID_TYPE', at, `Didn't understand relationship '${rel}' in FROM part of query call. ${CUSTOM_RELATIONSHIP_HINT}`);
  }

  unsupportedType(at: At, name: string): ApiError {
    return this.error('INVALID_TYPE', at, `sObject type '${name}' is not supported. ${CUSTOM_OBJECT_HINT}`);
  }

  malformed(at: At, message: string): ApiError {
    return this.error('MALFORMED_QUERY', at, message);
  }

  unexpected(at: At, token: string): ApiError {
    return this.malformed(at, `unexpected token: '${token}'`);
  }

  filterType(at: At, field: string, type: string, quoted: boolean): ApiError {
    return this.error(
      'INVALID_QUERY_FILTER_OPERATOR',
      at,
      `value of filter criterion for field '${field}' must be of type ${type} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
    );
  }
}

export function invalidQueryLocator(): ApiError {
  return new ApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
}

/** Bulk API 2.0 refuses the construct (not a SOQL error as such). */
export function bulkUnsupported(message: string): ApiError {
  return new ApiError(400, 'API_ERROR', message);
}
