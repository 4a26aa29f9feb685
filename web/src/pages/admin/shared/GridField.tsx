import { Col, Form, type FormItemProps } from 'antd';

/**
 * A labelled form field in a grid cell (antd Col + Form.Item): the admin editors lay their fields
 * out in rows of these. `span` is the cell's width of 24 on a wide window; a phone gets a full row.
 */
export function GridField({ span, children, ...item }: FormItemProps & { span: number }) {
  return (
    <Col xs={24} md={span}>
      <Form.Item {...item}>{children}</Form.Item>
    </Col>
  );
}
